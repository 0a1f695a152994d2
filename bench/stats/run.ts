/**
 * Issue 18's performance target: grouped analytics over the benchmark data (100,000
 * attempts, 10 million events, 2 million assessments), as an admin and as a teacher
 * (bench-teacher1: one cohort of the 25, 200 of the 5,000 students, 8 of the 200 exams):
 * assessmentStats by COHORT and MONTH with COUNT, AVG_SCORE and P90_SCORE over all the
 * assessments (filter.from: the month of the first), and attemptStats by EXAM with COUNT,
 * AVG_SCORE, PASS_RATE and AVG_INTEGRITY,
 * executed by a real `assay serve` with the response cache off, against the same GROUP BY
 * written by hand and run directly with pg, in the same run.
 *
 *   npm run bench:stats
 *
 * Closed loop, one client: each side sends its next request when the previous answer is in
 * (one keep-alive HTTP connection; one pg connection), since these are analytic calls a
 * notebook makes one at a time. A round is BENCH_REQUESTS (10) requests of each case through
 * Assay and as many by hand, alternating request by request (A B B A …), case after case;
 * BENCH_ROUNDS (3) rounds. Both answers are compared group by group before anything is timed.
 *
 * BENCH_CASES=attemptStats picks cases by the start of their names.
 * BENCH_DATABASE_URL: the monitoring benchmark's database; its assessments are added first
 * when missing (bench/stats/generate.ts).
 */
import http from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import os from 'node:os';
import { Client } from 'pg';
import { BENCH_PASSWORD, benchEmail } from '../exams/common';
import { machine, percentile, postRaw } from '../lib/load';
import { report } from '../lib/report';
import { startServer } from '../lib/server';
import { MONITORING_DATABASE_URL } from '../monitoring/common';
import { generateAssessments } from './generate';

const PORT = Number(process.env.BENCH_PORT ?? 4518);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 10);
/** BENCH_CASES=attemptStats,…: only the cases whose names start so. */
const ONLY = process.env.BENCH_CASES?.split(',');
const WARMUP = 3;
/** The aims: p95 under 200 ms, and within 1.5× of the hand-written statement. */
const AIM_P95_MS = 200;
const AIM_RATIO = 1.5;

/** One group as both sides give it: the key's parts as text, the metrics as numbers. */
type Group = { key: string[]; values: (number | null)[] };

interface Case {
  name: string;
  token: string;
  document: string;
  variables: Record<string, unknown>;
  groupsOf: (data: Record<string, unknown>) => Group[];
  sql: string;
  params: unknown[];
  sqlGroups: (rows: Record<string, unknown>[]) => Group[];
}

const ASSESSMENT_STATS = `query AssessmentStats($from: DateTimeISO!) {
  assessmentStats(filter: { from: $from }, groupBy: [COHORT, MONTH], metrics: [COUNT, AVG_SCORE, P90_SCORE]) {
    rows { key { cohort month } values { count avgScore p90Score } }
    truncated
  }
}`;

/*
 * The hand-written statements. The teacher's is written as one would by hand: the rows of
 * the students (role STUDENT) in the cohorts the teacher teaches, by a join. Assay's
 * predicate also admits the teacher's own assessments, of which a teacher has none (only
 * students are assessed): the answers are compared below, so a difference would show.
 */
const ASSESSMENTS_BY_COHORT_MONTH = `
  select sp.cohort, (date_trunc('month', a.created_at at time zone 'UTC') at time zone 'UTC') as month,
         count(*)::int as count, avg(a.score)::float8 as avg_score, percentile_cont(0.9) within group (order by a.score) as p90_score
    from skill_assessments a
    left join student_profiles sp on sp.user_id = a.student_id
   where a.created_at >= $1
   group by 1, 2
   order by 1, 2`;

const TEACHER_ASSESSMENTS_BY_COHORT_MONTH = `
  select sp.cohort, (date_trunc('month', a.created_at at time zone 'UTC') at time zone 'UTC') as month,
         count(*)::int as count, avg(a.score)::float8 as avg_score, percentile_cont(0.9) within group (order by a.score) as p90_score
    from skill_assessments a
    join student_profiles sp on sp.user_id = a.student_id
    join users u on u.id = a.student_id and u.role = 'STUDENT'
   where a.created_at >= $1
     and sp.cohort = any ((select cohorts_taught from teacher_profiles where user_id = $2)::text[])
   group by 1, 2
   order by 1, 2`;

const ATTEMPT_STATS = `query AttemptStats {
  attemptStats(groupBy: [EXAM], metrics: [COUNT, AVG_SCORE, PASS_RATE, AVG_INTEGRITY]) {
    rows { key { examId } values { count avgScore passRate avgIntegrity } }
    truncated
  }
}`;

const ATTEMPTS_BY_EXAM_COLUMNS = `a.exam_id, count(*)::int as count, avg(a.percentage)::float8 as avg_score,
         avg(a.passed::int)::float8 as pass_rate, avg(a.integrity_score)::float8 as avg_integrity`;

const ATTEMPTS_BY_EXAM = `
  select ${ATTEMPTS_BY_EXAM_COLUMNS}
    from exam_attempts a
   group by 1
   order by 1`;

/** A teacher's attempts: those on the exams they set, or were granted the right to view. */
const TEACHER_ATTEMPTS_BY_EXAM = `
  select ${ATTEMPTS_BY_EXAM_COLUMNS}
    from exam_attempts a
   where a.exam_id in (select id from exams where creator_id = $1
                       union
                       select exam_id from teacher_exam_permissions where teacher_id = $1 and can_view)
   group by 1
   order by 1`;

const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString());

const assessmentGroups = (data: Record<string, unknown>): Group[] =>
  (data.assessmentStats as { rows: { key: { cohort: string | null; month: string }; values: { count: number; avgScore: number; p90Score: number } }[] }).rows.map((r) => ({
    key: [String(r.key.cohort), iso(r.key.month)],
    values: [r.values.count, r.values.avgScore, r.values.p90Score],
  }));

const sqlAssessmentGroups = (rows: Record<string, unknown>[]): Group[] =>
  rows.map((r) => ({ key: [String(r.cohort), iso(r.month)], values: [r.count as number, r.avg_score as number, r.p90_score as number] }));

const attemptGroups = (data: Record<string, unknown>): Group[] =>
  (data.attemptStats as { rows: { key: { examId: string }; values: { count: number; avgScore: number; passRate: number; avgIntegrity: number } }[] }).rows.map((r) => ({
    key: [r.key.examId],
    values: [r.values.count, r.values.avgScore, r.values.passRate, r.values.avgIntegrity],
  }));

const sqlAttemptGroups = (rows: Record<string, unknown>[]): Group[] =>
  rows.map((r) => ({ key: [r.exam_id as string], values: [r.count as number, r.avg_score as number, r.pass_rate as number, r.avg_integrity as number] }));

/** Equal keys in the same order, and the same figures to 1e-9 (both are float8 from the same aggregates). */
function sameGroups(a: Group[], b: Group[]): boolean {
  return (
    a.length === b.length &&
    a.every((g, i) => isDeepStrictEqual(g.key, b[i].key) && g.values.every((v, j) => v === b[i].values[j] || (v !== null && b[i].values[j] !== null && Math.abs(v - b[i].values[j]) < 1e-9)))
  );
}

const summary = (times: number[]) => {
  const sorted = [...times].sort((x, y) => x - y);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
};
const ms = (value: number) => Number(value.toFixed(1));

async function main() {
  await generateAssessments(MONITORING_DATABASE_URL);
  const db = new Client({ connectionString: MONITORING_DATABASE_URL });
  await db.connect();
  const server = await startServer({ databaseUrl: MONITORING_DATABASE_URL, port: PORT, env: { RESPONSE_CACHE_MB: '0' } });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const teacherEmail = benchEmail('teacher', 1);
    const facts = (
      await db.query<{ from: Date; teacher_id: string; cohorts: string[]; assessments: number; teacher_assessments: number; attempts: number; events_estimated: string }>(
        `select date_trunc('month', min(a.created_at), 'UTC') as from, t.user_id as teacher_id, t.cohorts_taught as cohorts,
                (select count(*) from skill_assessments)::int as assessments,
                (select count(*) from skill_assessments x join student_profiles s on s.user_id = x.student_id where s.cohort = any (t.cohorts_taught))::int as teacher_assessments,
                (select count(*) from exam_attempts)::int as attempts,
                -- The planner's estimate over the partitions: counting 10 million rows would take seconds.
                (select sum(c.reltuples)::bigint from pg_inherits i join pg_class c on c.oid = i.inhrelid
                  where i.inhparent = 'monitoring_events'::regclass) as events_estimated
           from skill_assessments a, teacher_profiles t join users u on u.id = t.user_id
          where u.email = $1
          group by t.user_id, t.cohorts_taught`,
        [teacherEmail],
      )
    ).rows[0];
    const from = facts.from.toISOString();
    const admin = await server.login(benchEmail('admin', 1), BENCH_PASSWORD);
    const teacher = await server.login(teacherEmail, BENCH_PASSWORD);

    const allCases: Case[] = [
      {
        name: 'assessmentStats COHORT×MONTH, admin',
        token: admin,
        document: ASSESSMENT_STATS,
        variables: { from },
        groupsOf: assessmentGroups,
        sql: ASSESSMENTS_BY_COHORT_MONTH,
        params: [from],
        sqlGroups: sqlAssessmentGroups,
      },
      {
        name: 'assessmentStats COHORT×MONTH, teacher',
        token: teacher,
        document: ASSESSMENT_STATS,
        variables: { from },
        groupsOf: assessmentGroups,
        sql: TEACHER_ASSESSMENTS_BY_COHORT_MONTH,
        params: [from, facts.teacher_id],
        sqlGroups: sqlAssessmentGroups,
      },
      {
        name: 'attemptStats EXAM, admin',
        token: admin,
        document: ATTEMPT_STATS,
        variables: {},
        groupsOf: attemptGroups,
        sql: ATTEMPTS_BY_EXAM,
        params: [],
        sqlGroups: sqlAttemptGroups,
      },
      {
        name: 'attemptStats EXAM, teacher',
        token: teacher,
        document: ATTEMPT_STATS,
        variables: {},
        groupsOf: attemptGroups,
        sql: TEACHER_ATTEMPTS_BY_EXAM,
        params: [facts.teacher_id],
        sqlGroups: sqlAttemptGroups,
      },
    ];
    const cases = allCases.filter((c) => !ONLY || ONLY.some((prefix) => c.name.startsWith(prefix)));

    const url = new URL(server.url);
    const viaAssay = async (c: Case) => {
      const body = JSON.stringify({ query: c.document, variables: c.variables });
      const start = performance.now();
      const { status, answer } = await postRaw(url, agent, body, c.token);
      const took = performance.now() - start;
      const parsed = JSON.parse(answer.toString()) as { data?: Record<string, unknown>; errors?: unknown[] };
      if (status !== 200 || parsed.errors) throw new Error(`${c.name}: ${status} ${answer.toString().slice(0, 300)}`);
      return { took, data: parsed.data! };
    };
    const byHand = async (c: Case) => {
      const start = performance.now();
      const { rows } = await db.query(c.sql, c.params);
      return { took: performance.now() - start, rows };
    };

    const statements: Record<string, number> = {};
    for (const c of cases) {
      const [ours, theirs] = [(await viaAssay(c)).data, (await byHand(c)).rows];
      const groups = c.groupsOf(ours);
      if (!sameGroups(groups, c.sqlGroups(theirs))) {
        console.error(JSON.stringify(groups.slice(0, 3)), '\n', JSON.stringify(c.sqlGroups(theirs).slice(0, 3)));
        throw new Error(`${c.name}: Assay and the hand-written statement answer differently`);
      }
      statements[c.name] = (await server.gql(c.document, c.variables, c.token)).statements;
      console.log(`${c.name}: answers equal (${groups.length} groups); Assay ran ${statements[c.name]} statements`);
      for (let i = 0; i < WARMUP; i++) {
        await viaAssay(c);
        await byHand(c);
      }
    }

    const times = new Map(cases.map((c) => [c.name, { assay: [] as number[], sql: [] as number[] }]));
    const loadAverages: number[][] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      loadAverages.push(os.loadavg().map((l) => Number(l.toFixed(2))));
      for (const c of cases) {
        const assay: number[] = [];
        const sql: number[] = [];
        // Request by request, A B then B A, so that neither side always follows the other
        // or gets the quieter moments of a machine shared with other work.
        for (let i = 0; i < REQUESTS; i++) {
          if (i % 2 === 0) {
            assay.push((await viaAssay(c)).took);
            sql.push((await byHand(c)).took);
          } else {
            sql.push((await byHand(c)).took);
            assay.push((await viaAssay(c)).took);
          }
        }
        times.get(c.name)!.assay.push(...assay);
        times.get(c.name)!.sql.push(...sql);
        const [a, b] = [summary(assay), summary(sql)];
        console.log(`round ${round}, ${c.name}: Assay p50 ${ms(a.p50)} p95 ${ms(a.p95)} ms; by hand p50 ${ms(b.p50)} p95 ${ms(b.p95)} ms; p95 ratio ${(a.p95 / b.p95).toFixed(2)}×`);
        const scenario = 'Grouped analytics (issue 18), 1 client';
        report(
          { scenario, measure: `${c.name}: p95 ms (round ${round})`, assay: ms(a.p95), baseline: { name: 'the same GROUP BY by hand', value: ms(b.p95) }, aim: { ratio: AIM_RATIO, at: 'most' } },
          { scenario, measure: `${c.name}: p95 ms against the aim (round ${round})`, assay: ms(a.p95), baseline: { name: "the issue's aim", value: AIM_P95_MS }, aim: { ratio: 1, at: 'most' } },
        );
      }
    }

    const results = cases.map((c) => {
      const { assay, sql } = times.get(c.name)!;
      const [a, b] = [summary(assay), summary(sql)];
      const ratio = a.p95 / b.p95;
      return {
        case: c.name,
        requests: assay.length,
        assayP50: ms(a.p50),
        assayP95: ms(a.p95),
        byHandP50: ms(b.p50),
        byHandP95: ms(b.p95),
        p95Ratio: Number(ratio.toFixed(2)),
        [`p95 < ${AIM_P95_MS} ms`]: a.p95 < AIM_P95_MS ? 'met' : 'not met',
        [`ratio ≤ ${AIM_RATIO}`]: ratio <= AIM_RATIO ? 'met' : 'not met',
      };
    });
    console.log(JSON.stringify({ machine: machine(), loadAverageBeforeEachRound: loadAverages, data: { ...facts, from }, rounds: ROUNDS, requestsPerRound: REQUESTS, statements }, null, 2));
    console.table(results);
  } finally {
    agent.destroy();
    server.stop();
    await db.end();
  }
}

main().catch((error: unknown) => {
  console.error(`bench stats: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
