import { describe, expect } from 'vitest';
import { Client } from 'pg';
import { AssessmentIdsDocument, AssessmentStatsAllDocument, type AssessmentDimension, type AssessmentFilter, type AssessmentMetric } from './generated/graphql';
import { codeOf, startTestApp, type TestApp } from './support/app';
import { sql as sqlOn } from './support/assessments';
import { statsTest as test } from './support/stats';

/*
 * assessmentStats (issue 18, first operation) through HTTP: groups computed under the same
 * predicate as the assessments connection, checked against what each caller can page
 * through and against SQL restating the access rules; percentiles against PostgreSQL's own;
 * one statement per call; the size pre-check.
 */

const ALL_METRICS: AssessmentMetric[] = ['COUNT', 'AVG_SCORE', 'MIN_SCORE', 'MAX_SCORE', 'STDDEV_SCORE', 'P50_SCORE', 'P90_SCORE', 'AVG_CONFIDENCE', 'EVIDENCE_COUNT'];

async function stats(app: TestApp, token: string, groupBy: AssessmentDimension[], metrics: AssessmentMetric[] = ['COUNT'], filter?: AssessmentFilter) {
  const result = await app.gql(AssessmentStatsAllDocument, { groupBy, metrics, filter }, { token });
  return result;
}

async function ok(app: TestApp, token: string, groupBy: AssessmentDimension[], metrics: AssessmentMetric[] = ['COUNT'], filter?: AssessmentFilter) {
  const result = await stats(app, token, groupBy, metrics, filter);
  expect(result.errors).toBeUndefined();
  return result.data!.assessmentStats;
}

async function totalCount(app: TestApp, token: string, filter?: AssessmentFilter) {
  const page = await app.gql(AssessmentIdsDocument, { filter, first: 1 }, { token });
  expect(page.errors).toBeUndefined();
  return page.data!.assessments.totalCount;
}

const FROM = '2020-01-01T00:00:00Z';

/** The rows a viewer may see, restated for the oracle: admins all, a teacher students of cohorts they teach, a student their own. */
const visibleTo: Record<'admin' | 'teacher' | 'student', (me: string) => { sql: string; params: unknown[] }> = {
  admin: () => ({ sql: 'true', params: [] }),
  teacher: (me) => ({
    sql: `exists (select 1 from student_profiles p join teacher_profiles t on p.cohort = any (t.cohorts_taught) join users u on u.id = p.user_id
           where p.user_id = a.student_id and t.user_id = $1 and u.role = 'STUDENT')`,
    params: [me],
  }),
  student: (me) => ({ sql: 'a.student_id = $1', params: [me] }),
};


describe('assessmentStats', () => {
  test('sums of COUNT equal the totalCount each caller pages through, for several groupings and filters', async ({ app, logins }) => {
    const filters: (AssessmentFilter | undefined)[] = [undefined, { skillTypes: ['EMPATHY', 'RESILIENCE'] }, { from: FROM }];
    for (const who of ['admin', 'teacher', 'student'] as const) {
      const groupings: AssessmentDimension[][] = [[], ['SKILL'], ['SKILL', 'COHORT'], ['SOURCE', 'MODEL'], ...(who === 'student' ? [] : [['STUDENT'] as AssessmentDimension[]])];
      for (const filter of filters) {
        const total = await totalCount(app, logins[who].token, filter);
        expect(total, `${who} sees some assessments`).toBeGreaterThan(0);
        for (const groupBy of groupings) {
          const result = await ok(app, logins[who].token, groupBy, ['COUNT'], filter);
          const sum = result.rows.reduce((n, r) => n + r.values.count!, 0);
          expect(sum, `${who} ${groupBy.join(',')} ${JSON.stringify(filter)}`).toBe(total);
          expect(result.truncated).toBe(false);
        }
      }
      const byMonth = await ok(app, logins[who].token, ['MONTH', 'SKILL'], ['COUNT'], { from: FROM });
      expect(byMonth.rows.reduce((n, r) => n + r.values.count!, 0)).toBe(await totalCount(app, logins[who].token, { from: FROM }));
    }
  });

  test("each group equals SQL over the caller's visible rows: teachers only their cohorts, students only themselves", async ({ app, logins, sql }) => {
    for (const who of ['admin', 'teacher', 'student'] as const) {
      const me = logins[who].id;
      const scope = visibleTo[who](me);
      const expected = await sql<{ skill_type: string; cohort: string | null; n: string; avg: number }>(
        `select a.skill_type, p.cohort, count(*) as n, avg(a.score)::float8 as avg from skill_assessments a left join student_profiles p on p.user_id = a.student_id
          where ${scope.sql} group by 1, 2 order by 1, 2 nulls last`,
        scope.params,
      );
      const result = await ok(app, logins[who].token, ['SKILL', 'COHORT'], ['COUNT', 'AVG_SCORE']);
      expect(result.rows.map((r) => [r.key.skill, r.key.cohort, r.values.count])).toEqual(expected.map((e) => [e.skill_type, e.cohort, Number(e.n)]));
      result.rows.forEach((r, i) => expect(r.values.avgScore).toBeCloseTo(expected[i].avg, 12));
      // Keys not asked for stay null.
      expect(result.rows.every((r) => r.key.studentId === null && r.key.month === null && r.values.p50Score === null)).toBe(true);
      if (who === 'teacher') {
        const taught = (await sql<{ cohorts_taught: string[] }>('select cohorts_taught from teacher_profiles where user_id = $1', [me]))[0].cohorts_taught;
        expect(new Set(result.rows.map((r) => r.key.cohort))).toEqual(new Set(taught));
        const students = await ok(app, logins.teacher.token, ['STUDENT'], ['COUNT']);
        const visible = await sql<{ student_id: string }>(`select distinct a.student_id from skill_assessments a where ${scope.sql}`, scope.params);
        expect(new Set(students.rows.map((r) => r.key.studentId))).toEqual(new Set(visible.map((v) => v.student_id)));
      }
      if (who === 'student') {
        const own = await sql<{ cohort: string }>('select cohort from student_profiles where user_id = $1', [me]);
        expect(result.rows.every((r) => r.key.cohort === own[0].cohort)).toBe(true);
      }
    }
  });

  test('STUDENT as a dimension is refused to students (FORBIDDEN, naming it)', async ({ app, logins }) => {
    const refused = await stats(app, logins.student.token, ['SKILL', 'STUDENT']);
    expect(codeOf(refused)).toBe('FORBIDDEN');
    expect(refused.errors![0].message).toContain('STUDENT');
    expect(refused.data).toBeNull();
  });

  test("percentiles, stddev, min, max and confidence match PostgreSQL's own over the same rows", async ({ app, logins, sql }) => {
    const expected = await sql<Record<string, number | string>>(
      `select a.skill_type, a.source, count(*)::int as n,
              percentile_cont(0.5) within group (order by a.score) as p50, percentile_cont(0.9) within group (order by a.score) as p90,
              stddev_samp(a.score)::float8 as sd, min(a.score)::float8 as lo, max(a.score)::float8 as hi, avg(a.confidence)::float8 as conf,
              (select count(*) from evidence e join skill_assessments b on b.id = e.assessment_id where b.skill_type = a.skill_type and b.source = a.source)::int as ev
         from skill_assessments a group by 1, 2 order by 1, 2`,
    );
    const result = await ok(app, logins.admin.token, ['SKILL', 'SOURCE'], ALL_METRICS);
    expect(result.rows).toHaveLength(expected.length);
    result.rows.forEach((r, i) => {
      const e = expected[i];
      expect([r.key.skill, r.key.source, r.values.count, r.values.evidenceCount]).toEqual([e.skill_type, e.source, e.n, e.ev]);
      expect(r.values.p50Score).toBe(e.p50);
      expect(r.values.p90Score).toBe(e.p90);
      expect(r.values.stddevScore).toBe(e.sd);
      expect([r.values.minScore, r.values.maxScore]).toEqual([e.lo, e.hi]);
      expect(r.values.avgConfidence).toBeCloseTo(e.conf as number, 12);
    });
    const evidence = Number((await sql<{ n: string }>('select count(*) as n from evidence'))[0].n);
    expect(result.rows.reduce((n, r) => n + r.values.evidenceCount!, 0)).toBe(evidence);
  });

  test('rows are ordered by the keys in groupBy order', async ({ app, logins }) => {
    const result = await ok(app, logins.admin.token, ['MONTH', 'SKILL'], ['COUNT'], { from: FROM });
    const keys = result.rows.map((r) => `${r.key.month}|${r.key.skill}`);
    expect(keys).toEqual([...keys].sort());
    expect(result.rows.every((r) => new Date(r.key.month!).getUTCDate() === 1)).toBe(true);
  });

  test('one SQL statement per call, whatever the grouping and metrics', async ({ app, logins }) => {
    await ok(app, logins.teacher.token, ['SKILL']); // the credential is remembered from here on
    const asks: [AssessmentDimension[], AssessmentMetric[], AssessmentFilter?][] = [
      [['SKILL', 'COHORT', 'MONTH'], ALL_METRICS, { from: FROM }],
      [['STUDENT', 'WEEK'], ['COUNT', 'P90_SCORE', 'EVIDENCE_COUNT'], { from: '2025-01-01T00:00:00Z' }],
      [['SOURCE', 'MODEL', 'DAY'], ['AVG_SCORE'], { from: '2026-01-01T00:00:00Z' }],
    ];
    for (const token of [logins.teacher.token, logins.admin.token]) {
      for (const [groupBy, metrics, filter] of asks) {
        const result = await stats(app, token, groupBy, metrics, filter);
        expect(result.errors).toBeUndefined();
        expect(result.statements, groupBy.join(',')).toBe(1);
      }
    }
  });

  test('a request for too many buckets is refused before execution, naming the limit', async ({ app, logins }) => {
    const tooMany = await stats(app, logins.admin.token, ['DAY', 'SKILL'], ['COUNT'], { from: '2000-01-01T00:00:00Z' });
    expect(codeOf(tooMany)).toBe('BAD_USER_INPUT');
    expect(tooMany.errors![0].message).toContain('STATS_MAX_GROUPS = 10000');
    expect(tooMany.statements).toBe(0);
    const unbounded = await stats(app, logins.admin.token, ['WEEK'], ['COUNT']);
    expect(codeOf(unbounded)).toBe('BAD_USER_INPUT');
    expect(unbounded.errors![0].message).toContain('filter.from');
    expect(codeOf(await stats(app, logins.admin.token, ['SKILL'], []))).toBe('BAD_USER_INPUT');
    // A month of days is fine.
    await ok(app, logins.admin.token, ['DAY', 'SKILL', 'SOURCE'], ['COUNT'], { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' });
  });

  test('more groups than STATS_MAX_GROUPS: the first ones, marked truncated', async () => {
    const small = await startTestApp({ STATS_MAX_GROUPS: '3' });
    try {
      const token = await small.login('admin@example.edu');
      // STUDENT has no bound known ahead, so the pre-check lets it through and the limit cuts it.
      const result = await ok(small, token, ['STUDENT'], ['COUNT']);
      expect(result.truncated).toBe(true);
      const first = await sqlOn<{ student_id: string }>(small, 'select distinct student_id from skill_assessments order by 1 limit 3');
      expect(result.rows.map((r) => r.key.studentId)).toEqual(first.map((r) => r.student_id));
      // SKILL's 7 groups are known to exceed 3 before execution.
      expect(codeOf(await stats(small, token, ['SKILL'], ['COUNT']))).toBe('BAD_USER_INPUT');
      const fits = await ok(small, token, ['SOURCE'], ['COUNT']);
      expect(fits.truncated).toBe(false);
    } finally {
      await small.stop();
    }
  });
});

describe('the statement timeout, the last guard', () => {
  test('a grouping that runs past it is refused as BAD_USER_INPUT, naming the timeout, not masked as an internal error', async () => {
    const slow = await startTestApp({ DB_STATEMENT_TIMEOUT_MS: '500', RESPONSE_CACHE_MB: '0' });
    const blocker = new Client({ connectionString: slow.db.url });
    try {
      const token = await slow.login('admin@example.edu');
      await blocker.connect();
      // A writer holding the table makes the statistics wait: waiting counts towards the timeout as running would.
      await blocker.query('begin');
      await blocker.query('lock table skill_assessments in access exclusive mode');
      const refused = await stats(slow, token, ['SKILL'], ['COUNT']);
      expect(codeOf(refused)).toBe('BAD_USER_INPUT');
      expect(refused.errors![0].message).toContain('DB_STATEMENT_TIMEOUT_MS');
      await blocker.query('rollback');
      await ok(slow, token, ['SKILL'], ['COUNT']);
    } finally {
      await blocker.end();
      await slow.stop();
    }
  });
});
