import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExamSummariesDocument, RefreshViewsDocument, RiskSummariesDocument } from './generated/graphql';
import { codeOf, startTestApp, type TestApp } from './support/app';
import { examIdsOf, userIds } from './support/exams';

let app: TestApp;
let ids: Record<string, string>;
let admin: string;
let teacher1: string;

beforeAll(async () => {
  app = await startTestApp();
  ids = await userIds(app);
  admin = await app.login('admin@example.edu');
  teacher1 = await app.login('teacher1@example.edu');
});
afterAll(() => app?.stop());

/** The figures the view must hold for an exam, recomputed from the attempts. */
async function recomputed(examId: string) {
  const [row] = await app.db.sql(`
    select count(distinct student_id)::int as "uniqueStudents", count(*)::int as attempts,
           round(avg(percentage), 2)::float as "averageScore", round(avg(case when passed then 1.0 else 0.0 end), 4)::float as "passRate",
           round(avg(integrity_score), 4)::float as "averageIntegrity", (count(*) filter (where dropout_label = 'HIGH_RISK'))::int as "highRiskCount"
      from exam_attempts where exam_id = '${examId}' and status = 'COMPLETED'`);
  return row;
}

describe('exam performance summaries', () => {
  it('answer from the demo data at once, and give a teacher their exams and the one granted to them', async () => {
    const mine = await examIdsOf(app, 'teacher1');
    const report = await app.gql(ExamSummariesDocument, { first: 100 }, { token: teacher1 });
    expect(report.errors).toBeUndefined();
    const items = report.data!.examPerformanceSummaries.items;
    expect(items.map((i) => i.examId).sort()).toEqual([...mine].sort());
    const first = items.find((i) => i.examId === mine[0])!;
    expect(first.attempts).toBeGreaterThan(0);
    expect(first).toMatchObject(await recomputed(mine[0]));
    const teacher2 = await app.login('teacher2@example.edu');
    const granted = await app.gql(ExamSummariesDocument, { first: 100 }, { token: teacher2 });
    expect(granted.data!.examPerformanceSummaries.items.map((i) => i.examId)).toContain(mine[0]);
    expect(granted.data!.examPerformanceSummaries.items.map((i) => i.examId)).not.toContain(mine[1]);
  });

  it('hold what the last refresh saw: a new attempt shows after refreshAnalyticsViews, with its time', async () => {
    const [exam] = await examIdsOf(app, 'teacher3');
    const before = (await app.gql(ExamSummariesDocument, { first: 1000 }, { token: admin })).data!.examPerformanceSummaries;
    const was = before.items.find((i) => i.examId === exam)!;
    await app.db.sql(`update exam_attempts set passed = not passed where exam_id = '${exam}' and status = 'COMPLETED'`);
    const stale = (await app.gql(ExamSummariesDocument, { first: 1000 }, { token: admin })).data!.examPerformanceSummaries;
    expect(stale.items.find((i) => i.examId === exam)!.passRate).toBe(was.passRate);

    const refreshed = await app.gql(RefreshViewsDocument, {}, { token: admin });
    expect(refreshed.data!.refreshAnalyticsViews.views.map((v) => v.name)).toEqual(['exam_performance_summary', 'student_risk_summary']);
    expect(refreshed.data!.refreshAnalyticsViews.views.every((v) => v.durationMs >= 0)).toBe(true);
    const after = (await app.gql(ExamSummariesDocument, { first: 1000 }, { token: admin })).data!.examPerformanceSummaries;
    expect(after.items.find((i) => i.examId === exam)).toMatchObject(await recomputed(exam));
    expect(new Date(after.refreshedAt).getTime()).toBeGreaterThan(new Date(before.refreshedAt).getTime());
  });

  it('page by exam id and refuse students, bad pages and refreshes by anyone but an admin', async () => {
    const one = await app.gql(ExamSummariesDocument, { first: 1 }, { token: admin });
    expect(one.data!.examPerformanceSummaries).toMatchObject({ hasMore: true, items: [expect.anything()] });
    const next = await app.gql(ExamSummariesDocument, { first: 1, after: one.data!.examPerformanceSummaries.items[0].examId }, { token: admin });
    expect(next.data!.examPerformanceSummaries.items[0].examId > one.data!.examPerformanceSummaries.items[0].examId).toBe(true);
    expect(codeOf(await app.gql(ExamSummariesDocument, { first: 5000 }, { token: admin }))).toBe('BAD_USER_INPUT');
    const student = await app.login('student1@example.edu');
    expect(codeOf(await app.gql(ExamSummariesDocument, {}, { token: student }))).toBe('FORBIDDEN');
    expect(codeOf(await app.gql(RefreshViewsDocument, {}, { token: teacher1 }))).toBe('FORBIDDEN');
  });
});

describe('student risk summaries', () => {
  it('give a student their own row, a teacher their cohort, an admin everyone', async () => {
    const student = await app.login('student7@example.edu');
    const own = await app.gql(RiskSummariesDocument, {}, { token: student });
    expect(own.data!.studentRiskSummaries.items.map((i) => i.studentId)).toEqual([ids.student7]);
    const taught = await app.gql(RiskSummariesDocument, { first: 1000 }, { token: await app.login('teacher2@example.edu') });
    const cohorts = new Set(taught.data!.studentRiskSummaries.items.map((i) => i.cohort));
    expect([...cohorts]).toEqual(['cohort-2']);
    expect(taught.data!.studentRiskSummaries.items).toHaveLength(10);
    const all = await app.gql(RiskSummariesDocument, { first: 1000 }, { token: admin });
    expect(all.data!.studentRiskSummaries.items.length).toBeGreaterThanOrEqual(50);
    const [profile] = await app.db.sql(`select attempts_completed::int as n from student_profiles where user_id = '${ids.student7}'`);
    expect(own.data!.studentRiskSummaries.items[0].attempts).toBe(profile.n);
  });
});
