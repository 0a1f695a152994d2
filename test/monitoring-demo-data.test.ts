import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_EVENTS_PER_ATTEMPT } from '../src/db/seed/monitoring';
import { EventTimelineDocument, ExamSummariesDocument, FlaggedStudentListDocument, FlagAlertsDocument, RiskSummariesDocument } from './generated/graphql';
import { startTestApp, type TestApp } from './support/app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.stop());

describe('the live-proctoring demo data', () => {
  it('gives every completed attempt a timeline, most an analysis, and some a critical flag', async () => {
    const [row] = await app.db.sql(`
      select (select count(*)::int from exam_attempts where status = 'COMPLETED') as completed,
             (select count(*)::int from monitoring_events) as events,
             (select count(*)::int from monitoring_events where is_anomaly) as anomalies,
             (select count(*)::int from behavior_analyses) as analyses,
             (select count(distinct attempt_id)::int from student_flag_events) as flagged`);
    expect(row.events).toBe(Number(row.completed) * DEMO_EVENTS_PER_ATTEMPT);
    expect(row.events).toBeGreaterThan(100_000);
    expect(Number(row.anomalies)).toBeGreaterThan(0);
    expect(Number(row.analyses)).toBeGreaterThan(Number(row.completed) / 2);
    expect(Number(row.flagged)).toBeGreaterThan(0);
    expect(Number(row.flagged)).toBeLessThan(Number(row.completed) / 3);
  });

  it('answers every new query for teacher1 in the default data', async () => {
    const token = await app.login('teacher1@example.edu');
    const flagged = await app.gql(FlaggedStudentListDocument, {}, { token });
    const alerts = await app.gql(FlagAlertsDocument, {}, { token });
    const exams = await app.gql(ExamSummariesDocument, {}, { token });
    const risks = await app.gql(RiskSummariesDocument, {}, { token });
    expect([flagged, alerts, exams, risks].map((r) => r.errors)).toEqual([undefined, undefined, undefined, undefined]);
    expect(alerts.data!.alerts.edges.length).toBeGreaterThan(0);
    expect(flagged.data!.flaggedStudents.edges.length).toBeGreaterThan(0);
    expect(exams.data!.examPerformanceSummaries.items.some((i) => i.attempts > 0)).toBe(true);
    expect(risks.data!.studentRiskSummaries.items).toHaveLength(10);
    const attemptId = alerts.data!.alerts.edges[0].node.attempt!.id;
    const timeline = await app.gql(EventTimelineDocument, { attemptId, first: 50 }, { token });
    expect(timeline.data!.attemptMonitoring.totalCount).toBe(DEMO_EVENTS_PER_ATTEMPT);
    expect(timeline.data!.attemptMonitoring.edges).toHaveLength(50);
  });
});
