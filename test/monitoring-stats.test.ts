import { describe, expect } from 'vitest';
import { EventSummaryDocument, MonitoringStatsAllDocument, type MonitoringDimension, type MonitoringMetric, type MonitoringStatsFilter } from './generated/graphql';
import { codeOf, type TestApp } from './support/app';
import { statsTest as test } from './support/stats';

/*
 * monitoringStats (issue 18) through HTTP: staff only, groups over the events of the attempts
 * the caller may see, checked against SQL restating the rules and against the per-attempt
 * summary; one statement per call; the size pre-check.
 */

const ALL_METRICS: MonitoringMetric[] = ['COUNT', 'ANOMALY_COUNT', 'AVG_ANOMALY_SCORE'];

const stats = (app: TestApp, token: string, groupBy: MonitoringDimension[], metrics: MonitoringMetric[] = ['COUNT'], filter?: MonitoringStatsFilter) =>
  app.gql(MonitoringStatsAllDocument, { groupBy, metrics, filter }, { token });

async function ok(app: TestApp, token: string, groupBy: MonitoringDimension[], metrics: MonitoringMetric[] = ['COUNT'], filter?: MonitoringStatsFilter) {
  const result = await stats(app, token, groupBy, metrics, filter);
  expect(result.errors).toBeUndefined();
  return result.data!.monitoringStats;
}

/** Events of attempts on exams the teacher created or was granted canView on (alias m), restated for the oracle. */
const TEACHER_EVENTS = `m.attempt_id in (select a.id from exam_attempts a join exams e on e.id = a.exam_id
  where e.creator_id = $1 or exists (select 1 from teacher_exam_permissions g where g.exam_id = e.id and g.teacher_id = $1 and g.can_view))`;

describe('monitoringStats', () => {
  test('students get nothing: FORBIDDEN, whatever they ask, even about their own attempts', async ({ app, logins, sql }) => {
    const [own] = await sql<{ attempt_id: string }>('select attempt_id from monitoring_events where student_id = $1 limit 1', [logins.student.id]);
    expect(own).toBeDefined();
    for (const filter of [undefined, { attemptId: own.attempt_id }]) {
      const refused = await stats(app, logins.student.token, ['EVENT_TYPE'], ['COUNT'], filter);
      expect(codeOf(refused)).toBe('FORBIDDEN');
      expect(refused.data).toBeNull();
    }
  });

  test("each teacher's groups equal SQL over the events of attempts on exams they may view; admins see every event", async ({ app, logins, sql }) => {
    for (const who of ['teacher', 'grantee'] as const) {
      const me = logins[who].id;
      const expected = await sql<{ exam_id: string; severity: string; n: number; anomalies: number; score: number | null }>(
        `select a.exam_id, m.severity, count(*)::int as n, (count(*) filter (where m.is_anomaly))::int as anomalies, avg(m.anomaly_score)::float8 as score
           from monitoring_events m join exam_attempts a on a.id = m.attempt_id where ${TEACHER_EVENTS} group by 1, 2 order by 1, 2`,
        [me],
      );
      expect(expected.length, `${who} has events to see`).toBeGreaterThan(0);
      const result = await ok(app, logins[who].token, ['EXAM', 'SEVERITY'], ALL_METRICS);
      expect(result.rows.map((r) => [r.key.examId, r.key.severity, r.values.count, r.values.anomalyCount])).toEqual(
        expected.map((e) => [e.exam_id, e.severity, e.n, e.anomalies]),
      );
      result.rows.forEach((r, i) => {
        if (expected[i].score === null) expect(r.values.avgAnomalyScore).toBeNull();
        else expect(r.values.avgAnomalyScore).toBeCloseTo(expected[i].score, 6);
      });
    }
    const [all] = await sql<{ n: number }>('select count(*)::int as n from monitoring_events');
    const everything = await ok(app, logins.admin.token, ['SEVERITY']);
    expect(everything.rows.reduce((n, r) => n + r.values.count!, 0)).toBe(all.n);
    const [busiest] = await sql<{ exam_id: string; n: number }>(
      'select a.exam_id, count(*)::int as n from monitoring_events m join exam_attempts a on a.id = m.attempt_id group by 1 order by 2 desc limit 1',
    );
    const oneExam = await ok(app, logins.admin.token, ['SEVERITY'], ['COUNT'], { examId: busiest.exam_id });
    expect(oneExam.rows.reduce((n, r) => n + r.values.count!, 0)).toBe(busiest.n);
    const teacherTotal = (await ok(app, logins.teacher.token, [])).rows[0].values.count!;
    expect(teacherTotal).toBeLessThan(all.n);
  });

  test("one attempt's groups by type and severity equal its monitoringSummary; an attempt the teacher may not view gives no group", async ({ app, logins, sql }) => {
    const [mine] = await sql<{ attempt_id: string }>(
      `select m.attempt_id from monitoring_events m where ${TEACHER_EVENTS} group by 1 order by count(*) desc limit 1`,
      [logins.teacher.id],
    );
    const summary = (await app.gql(EventSummaryDocument, { attemptId: mine.attempt_id }, { token: logins.teacher.token })).data!.monitoringSummary;
    const byType = await ok(app, logins.teacher.token, ['EVENT_TYPE'], ['COUNT', 'ANOMALY_COUNT'], { attemptId: mine.attempt_id });
    expect(byType.rows.map((r) => ({ eventType: r.key.eventType, count: r.values.count }))).toEqual(
      [...summary.byType].sort((a, b) => a.eventType.localeCompare(b.eventType)).map(({ eventType, count }) => ({ eventType, count })),
    );
    expect(byType.rows.reduce((n, r) => n + r.values.anomalyCount!, 0)).toBe(summary.anomalyCount);
    const [other] = await sql<{ attempt_id: string }>(`select m.attempt_id from monitoring_events m where not (${TEACHER_EVENTS}) limit 1`, [logins.teacher.id]);
    expect((await ok(app, logins.teacher.token, ['EVENT_TYPE'], ['COUNT'], { attemptId: other.attempt_id })).rows).toEqual([]);
    const critical = await ok(app, logins.teacher.token, ['SEVERITY'], ['COUNT'], { severities: ['CRITICAL'], types: summary.byType.map((t) => t.eventType) });
    expect(critical.rows.every((r) => r.key.severity === 'CRITICAL')).toBe(true);
  });

  test('one SQL statement per call, whatever the grouping and metrics', async ({ app, logins }) => {
    const day = { from: '2020-01-01T00:00:00Z' };
    for (const token of [logins.teacher.token, logins.admin.token]) {
      await ok(app, token, ['SEVERITY']); // the credential is remembered from here on
      for (const [groupBy, filter] of [[['EVENT_TYPE', 'SEVERITY']], [['EXAM', 'ATTEMPT']], [['DAY', 'SEVERITY'], day]] as [MonitoringDimension[], MonitoringStatsFilter?][]) {
        const result = await stats(app, token, groupBy, ALL_METRICS, filter);
        expect(result.errors).toBeUndefined();
        expect(result.statements, groupBy.join(',')).toBe(1);
      }
    }
  });

  test('MINUTE, HOUR and DAY need filter.from, and too many buckets are refused before execution', async ({ app, logins, sql }) => {
    const unbounded = await stats(app, logins.admin.token, ['HOUR'], ['COUNT']);
    expect(codeOf(unbounded)).toBe('BAD_USER_INPUT');
    expect(unbounded.errors![0].message).toContain('filter.from');
    const tooMany = await stats(app, logins.admin.token, ['MINUTE', 'SEVERITY'], ['COUNT'], { from: '2026-01-01T00:00:00Z', to: '2026-01-04T00:00:00Z' });
    expect(codeOf(tooMany)).toBe('BAD_USER_INPUT');
    expect(tooMany.errors![0].message).toMatch(/4321 MINUTE buckets × 3 SEVERITY.*STATS_MAX_GROUPS = 10000/);
    expect(tooMany.statements).toBe(0);
    const [latest] = await sql<{ at: Date }>('select max(client_timestamp) as at from monitoring_events');
    const from = new Date(latest.at.getTime() - 3_600_000).toISOString();
    const byMinute = await ok(app, logins.admin.token, ['MINUTE'], ['COUNT'], { from, to: new Date(latest.at.getTime() + 1).toISOString() });
    expect(byMinute.rows.length).toBeGreaterThan(0);
    expect(byMinute.rows.every((r) => new Date(r.key.minute!).getUTCSeconds() === 0)).toBe(true);
    const [inHour] = await sql<{ n: number }>('select count(*)::int as n from monitoring_events where client_timestamp >= $1', [from]);
    expect(byMinute.rows.reduce((n, r) => n + r.values.count!, 0)).toBe(inHour.n);
  });
});
