import { describe, expect } from 'vitest';
import {
  AttemptStatsAllDocument,
  ExamAttemptsDocument,
  ExamsDocument,
  MyAttemptsDocument,
  type AttemptDimension,
  type AttemptMetric,
  type AttemptStatsFilter,
  type ExamsQuery,
} from './generated/graphql';
import { codeOf, type TestApp } from './support/app';
import { statsTest as test, type StatsAccount } from './support/stats';

/*
 * attemptStats (issue 18) through HTTP: groups computed under the attempt lists' predicate,
 * checked against what each caller pages through (examAttempts per exam, myAttempts) and
 * against SQL restating the access rules; one statement per call; the size pre-check.
 */

const ALL_METRICS: AttemptMetric[] = ['COUNT', 'AVG_SCORE', 'PASS_RATE', 'AVG_INTEGRITY', 'AVG_LMI', 'FLAGGED_COUNT', 'AVG_DURATION_SECONDS'];
const FROM = '2020-01-01T00:00:00Z';

const stats = (app: TestApp, token: string, groupBy: AttemptDimension[], metrics: AttemptMetric[] = ['COUNT'], filter?: AttemptStatsFilter) =>
  app.gql(AttemptStatsAllDocument, { groupBy, metrics, filter }, { token });

async function ok(app: TestApp, token: string, groupBy: AttemptDimension[], metrics: AttemptMetric[] = ['COUNT'], filter?: AttemptStatsFilter) {
  const result = await stats(app, token, groupBy, metrics, filter);
  expect(result.errors).toBeUndefined();
  return result.data!.attemptStats;
}

/** Every exam the caller may see, all pages. */
async function visibleExams(app: TestApp, token: string): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null | undefined = null;
  do {
    const { data }: { data: ExamsQuery | null } = await app.gql(ExamsDocument, { first: 100, after }, { token });
    ids.push(...data!.exams.edges.map((e) => e.node.id));
    after = data!.exams.pageInfo.hasNextPage ? data!.exams.pageInfo.endCursor : undefined;
  } while (after);
  return ids;
}

/** Attempts the caller pages through on each exam they may see (examAttempts' totalCount). */
async function pagedPerExam(app: TestApp, token: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const examId of await visibleExams(app, token)) {
    const page = await app.gql(ExamAttemptsDocument, { examId, first: 1 }, { token });
    expect(page.errors).toBeUndefined();
    if (page.data!.examAttempts.totalCount > 0) counts.set(examId, page.data!.examAttempts.totalCount);
  }
  return counts;
}

/** The attempts each account may see, restated for the oracle (alias a): admins all, teachers those on exams they created or were granted canView on, students their own. */
const visibleTo: Record<StatsAccount, (me: string) => string> = {
  admin: () => 'true',
  teacher: () => `a.exam_id in (select e.id from exams e where e.creator_id = $1
                   or exists (select 1 from teacher_exam_permissions g where g.exam_id = e.id and g.teacher_id = $1 and g.can_view))`,
  grantee: (me) => visibleTo.teacher(me),
  student: () => 'a.student_id = $1',
};

describe('attemptStats', () => {
  test('per exam, COUNT equals the examAttempts totalCount each staff caller pages through; a student the myAttempts total', async ({ app, logins }) => {
    for (const who of ['admin', 'teacher', 'grantee'] as const) {
      const paged = await pagedPerExam(app, logins[who].token);
      expect(paged.size, `${who} sees attempts`).toBeGreaterThan(0);
      const byExam = await ok(app, logins[who].token, ['EXAM']);
      expect(new Map(byExam.rows.map((r) => [r.key.examId!, r.values.count!])), who).toEqual(paged);
      for (const grouping of [['SUBJECT', 'STATUS'], ['COHORT', 'DROPOUT_LABEL'], ['STUDENT']] as AttemptDimension[][]) {
        const grouped = await ok(app, logins[who].token, grouping);
        expect(grouped.rows.reduce((n, r) => n + r.values.count!, 0), `${who} ${grouping.join(",")}`).toBe([...paged.values()].reduce((n, c) => n + c, 0));
      }
    }
    const mine = await app.gql(MyAttemptsDocument, { first: 1 }, { token: logins.student.token });
    const own = await ok(app, logins.student.token, ['EXAM', 'STATUS']);
    expect(mine.data!.myAttempts.totalCount).toBeGreaterThan(0);
    expect(own.rows.reduce((n, r) => n + r.values.count!, 0)).toBe(mine.data!.myAttempts.totalCount);
  });

  test("each group equals SQL over the caller's visible attempts, every metric", async ({ app, logins, sql }) => {
    for (const who of ['admin', 'teacher', 'grantee', 'student'] as const) {
      const me = logins[who].id;
      const expected = await sql<Record<string, string | number | null>>(
        `select e.subject, a.status, count(*)::int as n, avg(a.percentage)::float8 as score, avg(a.passed::int)::float8 as pass,
                avg(a.integrity_score)::float8 as integrity, avg(a.lmi)::float8 as lmi, (count(*) filter (where a.flagged))::int as flagged,
                avg(a.duration_seconds)::float8 as duration
           from exam_attempts a join exams e on e.id = a.exam_id
          where ${visibleTo[who](me)} group by 1, 2 order by 1, 2`,
        who === 'admin' ? [] : [me],
      );
      const result = await ok(app, logins[who].token, ['SUBJECT', 'STATUS'], ALL_METRICS);
      expect(result.rows.map((r) => [r.key.subject, r.key.status, r.values.count, r.values.flaggedCount]), who).toEqual(
        expected.map((e) => [e.subject, e.status, e.n, e.flagged]),
      );
      result.rows.forEach((r, i) => {
        const e = expected[i];
        for (const [got, want] of [[r.values.avgScore, e.score], [r.values.passRate, e.pass], [r.values.avgIntegrity, e.integrity], [r.values.avgLmi, e.lmi], [r.values.avgDurationSeconds, e.duration]] as const) {
          if (want === null) expect(got).toBeNull();
          else expect(got).toBeCloseTo(Number(want), 9);
        }
      });
      expect(result.rows.every((r) => r.key.examId === null && r.key.month === null)).toBe(true);
    }
  });

  test("a teacher's COHORT and STUDENT groups hold only students with attempts on exams the teacher may view", async ({ app, logins, sql }) => {
    const me = logins.teacher.id;
    const visible = await sql<{ student_id: string; cohort: string | null }>(
      `select distinct a.student_id, p.cohort from exam_attempts a left join student_profiles p on p.user_id = a.student_id where ${visibleTo.teacher(me)}`,
      [me],
    );
    const students = await ok(app, logins.teacher.token, ['STUDENT']);
    expect(new Set(students.rows.map((r) => r.key.studentId))).toEqual(new Set(visible.map((v) => v.student_id)));
    const cohorts = await ok(app, logins.teacher.token, ['COHORT']);
    expect(new Set(cohorts.rows.map((r) => r.key.cohort))).toEqual(new Set(visible.map((v) => v.cohort)));
    const everyone = await ok(app, logins.admin.token, ['COHORT']);
    expect(cohorts.rows.length).toBeLessThan(everyone.rows.length);
  });

  test('filters narrow the groups: examId, subject, studentId, status and the started range', async ({ app, logins, sql }) => {
    const [exam] = await sql<{ id: string; subject: string }>(
      `select e.id, e.subject from exams e where e.creator_id = $1 and exists (select 1 from exam_attempts a where a.exam_id = e.id) order by e.id limit 1`,
      [logins.teacher.id],
    );
    const one = await ok(app, logins.teacher.token, ['EXAM', 'STATUS'], ['COUNT'], { examId: exam.id, status: 'COMPLETED' });
    const [completed] = await sql<{ n: number }>(`select count(*)::int as n from exam_attempts where exam_id = $1 and status = 'COMPLETED'`, [exam.id]);
    expect(one.rows.map((r) => [r.key.examId, r.key.status, r.values.count])).toEqual([[exam.id, 'COMPLETED', completed.n]]);
    const bySubject = await ok(app, logins.admin.token, ['SUBJECT'], ['COUNT'], { subject: exam.subject });
    expect(bySubject.rows.map((r) => r.key.subject)).toEqual([exam.subject]);
    const own = await ok(app, logins.admin.token, ['STUDENT'], ['COUNT'], { studentId: logins.student.id });
    expect(own.rows.map((r) => r.key.studentId)).toEqual([logins.student.id]);
    const all = await ok(app, logins.admin.token, [], ['COUNT']);
    const [latest] = await sql<{ at: Date }>(`select max(started_at) as at from exam_attempts`);
    const before = await ok(app, logins.admin.token, [], ['COUNT'], { to: latest.at.toISOString() });
    const after = await ok(app, logins.admin.token, [], ['COUNT'], { from: latest.at.toISOString() });
    expect(before.rows[0].values.count! + after.rows[0].values.count!).toBe(all.rows[0].values.count);
    expect(after.rows[0].values.count).toBeGreaterThan(0);
    expect(codeOf(await stats(app, logins.admin.token, ['EXAM'], ['COUNT'], { examId: 'not-a-uuid' }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await stats(app, logins.admin.token, ['EXAM'], ['COUNT'], { from: FROM, to: FROM }))).toBe('BAD_USER_INPUT');
  });

  test('STUDENT as a dimension is refused to students (FORBIDDEN, naming it); a student sees only their own attempts', async ({ app, logins, sql }) => {
    const refused = await stats(app, logins.student.token, ['EXAM', 'STUDENT']);
    expect(codeOf(refused)).toBe('FORBIDDEN');
    expect(refused.errors![0].message).toContain('STUDENT');
    expect(refused.data).toBeNull();
    const theirs = await ok(app, logins.student.token, ['EXAM']);
    const own = await sql<{ exam_id: string; n: number }>(
      'select exam_id, count(*)::int as n from exam_attempts where student_id = $1 group by 1 order by 1',
      [logins.student.id],
    );
    expect(theirs.rows.map((r) => [r.key.examId, r.values.count])).toEqual(own.map((o) => [o.exam_id, o.n]));
  });

  test('one SQL statement per call, whatever the grouping and metrics', async ({ app, logins }) => {
    const asks: [AttemptDimension[], AttemptMetric[], AttemptStatsFilter?][] = [
      [['EXAM'], ALL_METRICS],
      [['SUBJECT', 'COHORT', 'MONTH'], ALL_METRICS, { from: FROM }],
      [['STATUS', 'DROPOUT_LABEL', 'WEEK'], ['COUNT', 'PASS_RATE'], { from: '2025-06-01T00:00:00Z', subject: 'Mathematics' }],
    ];
    for (const token of [logins.grantee.token, logins.admin.token]) {
      await ok(app, token, ['EXAM']); // the credential is remembered from here on
      for (const [groupBy, metrics, filter] of asks) {
        const result = await stats(app, token, groupBy, metrics, filter);
        expect(result.errors).toBeUndefined();
        expect(result.statements, groupBy.join(',')).toBe(1);
      }
    }
  });

  test('time buckets need filter.from, and too many are refused before execution, naming the limit', async ({ app, logins }) => {
    const unbounded = await stats(app, logins.admin.token, ['MONTH'], ['COUNT']);
    expect(codeOf(unbounded)).toBe('BAD_USER_INPUT');
    expect(unbounded.errors![0].message).toContain('filter.from');
    const tooMany = await stats(app, logins.admin.token, ['DAY', 'STATUS', 'DROPOUT_LABEL'], ['COUNT'], { from: '2020-01-01T00:00:00Z' });
    expect(codeOf(tooMany)).toBe('BAD_USER_INPUT');
    expect(tooMany.errors![0].message).toContain('STATS_MAX_GROUPS = 10000');
    expect(tooMany.statements).toBe(0);
    const byDay = await ok(app, logins.admin.token, ['DAY'], ['COUNT'], { from: FROM });
    expect(byDay.rows.every((r) => new Date(r.key.day!).toISOString().endsWith('T00:00:00.000Z'))).toBe(true);
    const keys = byDay.rows.map((r) => r.key.day!);
    expect(keys).toEqual([...keys].sort());
  });
});
