import { Client } from 'pg';
import { BENCH_PASSWORD, benchEmail } from '../exams/common';
import { drive, machine, rotate, type LoadRequest, type LoadResult } from '../lib/load';
import { report } from '../lib/report';
import { startServer } from '../lib/server';
import { MONITORING_DATABASE_URL } from './common';

/*
 * Proctoring reads on the 10-million-event database, executed on every request (the
 * response cache is off unless BENCH_CACHE=on): an attempt's timeline page of 50 events,
 * alerts, flaggedStudents and the two analytics-view reports, each by teachers (their own
 * exams) and the admin, at BENCH_CONNECTIONS concurrent connections for BENCH_DURATION
 * seconds, the whole sequence BENCH_ROUNDS times; then refreshAnalyticsViews (CONCURRENTLY)
 * a few times, idle and under the timeline load, with the durations it reports.
 */

const PORT = Number(process.env.BENCH_PORT ?? 4540);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CACHE = process.env.BENCH_CACHE === 'on';
/** Only the queries whose names start with one of these, e.g. BENCH_QUERIES=alerts,flaggedStudents. */
const ONLY = process.env.BENCH_QUERIES?.split(',');
const nodeFlags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const REFRESHES = process.env.BENCH_REFRESHES !== '0';
/** Issue 12's p95 aims in ms, by the query's name. */
const AIMS: [string, number][] = [
  ['timeline', 20],
  ['alerts', 50],
  ['flaggedStudents', 50],
  ['examPerformanceSummaries', 20],
  ['studentRiskSummaries', 20],
];

const TIMELINE = `query Timeline($attemptId: ID!, $after: String) {
  attemptMonitoring(attemptId: $attemptId, first: 50, after: $after) {
    totalCount
    edges { cursor node { id eventId eventType severity payload isAnomaly anomalyScore description clientTimestamp serverTimestamp } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const ALERTS = `query Alerts {
  alerts(first: 50) {
    totalCount
    edges { node { seq reason severity at attempt { id } exam { id title } student { id email } } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const FLAGGED = `query Flagged($filter: FlaggedStudentFilter) {
  flaggedStudents(filter: $filter, first: 50) {
    totalCount
    edges { node { id cohort highestSeverity flaggedAttempts flags lastFlaggedAt student { id email } } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const EXAM_SUMMARIES = `query ExamSummaries {
  examPerformanceSummaries(first: 50) {
    refreshedAt hasMore
    items { examId uniqueStudents attempts averageScore passRate averageIntegrity highRiskCount lastAttemptAt exam { id title } }
  }
}`;
const RISK_SUMMARIES = `query RiskSummaries {
  studentRiskSummaries(first: 50) {
    refreshedAt hasMore
    items { studentId cohort risk cumulativeIntegrity cumulativeLmi attempts flaggedCount lastAttemptAt student { id email } }
  }
}`;
const REFRESH = `mutation { refreshAnalyticsViews { views { name durationMs } } }`;

const body = (query: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query, variables });

async function main() {
  const db = new Client({ connectionString: MONITORING_DATABASE_URL });
  await db.connect();
  const sizes = (await db.query(`select (select count(*) from monitoring_events)::int as events, (select count(*) from exam_attempts)::int as attempts,
    (select count(*) from student_flag_events)::int as flags, (select count(*) from behavior_analyses)::int as analyses`)).rows[0] as Record<string, number>;
  // Completed attempts with their exam's teacher: 8 per teacher, spread over the months.
  const attempts = (await db.query<{ email: string; id: string }>(
    `select email, id from (
       select u.email, a.id, row_number() over (partition by u.id order by hashtext(a.id::text)) as n
         from exam_attempts a join exams e on e.id = a.exam_id join users u on u.id = e.creator_id
        where a.status = 'COMPLETED') t
      where n <= 8`,
  )).rows;
  const server = await startServer({ databaseUrl: MONITORING_DATABASE_URL, port: PORT, env: CACHE ? {} : { RESPONSE_CACHE_MB: '0' }, nodeFlags });
  try {
    const teacherEmails = [...new Set(attempts.map((a) => a.email))];
    const tokens = new Map(await Promise.all(teacherEmails.map(async (e) => [e, await server.login(e, BENCH_PASSWORD)] as const)));
    const admin = await server.login(benchEmail('admin', 1), BENCH_PASSWORD);
    const teachers = [...tokens.values()];
    const everyone = [admin, ...teachers];

    // A first page and the page after it, for each attempt.
    const timeline: LoadRequest[] = [];
    for (const a of attempts) {
      const token = tokens.get(a.email)!;
      const first = await server.gql<{ attemptMonitoring: { pageInfo: { endCursor: string } } }>(TIMELINE, { attemptId: a.id }, token);
      timeline.push({ token, body: body(TIMELINE, { attemptId: a.id }) }, { token, body: body(TIMELINE, { attemptId: a.id, after: first.data.attemptMonitoring.pageInfo.endCursor }) });
    }
    const each = (query: string, tokensToUse: string[], variables: Record<string, unknown>[] = [{}]) =>
      tokensToUse.flatMap((token) => variables.map((v) => ({ token, body: body(query, v) })));
    const all: [string, LoadRequest[]][] = [
      ['attemptMonitoring (50 events; teachers, first and second pages)', timeline],
      ['alerts (50; admin and teachers)', each(ALERTS, everyone)],
      ['flaggedStudents (50; admin and teachers, all and CRITICAL only)', each(FLAGGED, everyone, [{}, { filter: { minSeverity: 'CRITICAL' } }])],
      ['examPerformanceSummaries (50; admin and teachers)', each(EXAM_SUMMARIES, everyone)],
      ['studentRiskSummaries (50; admin and teachers)', each(RISK_SUMMARIES, everyone)],
    ];
    const loads = all.filter(([name]) => !ONLY || ONLY.some((prefix) => name.startsWith(prefix)));
    const statements: Record<string, number> = {};
    for (const [name, requests] of loads) {
      const sample = JSON.parse(requests[requests.length - 1].body) as { query: string; variables: Record<string, unknown> };
      statements[name] = (await server.gql(sample.query, sample.variables, requests[requests.length - 1].token)).statements;
    }
    await drive('warm-up', { url: server.url, connections: CONNECTIONS, duration: 3 }, rotate(timeline));

    const rounds: LoadResult[][] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const results: LoadResult[] = [];
      for (const [name, requests] of loads) results.push(await drive(name, { url: server.url, connections: CONNECTIONS, duration: DURATION, serverPid: server.pid }, rotate(requests)));
      rounds.push(results);
      for (const result of results) {
        const aim = AIMS.find(([prefix]) => result.name.startsWith(prefix))?.[1];
        if (aim) report({ scenario: 'Proctoring reads at 10 million events', measure: `${result.name.split(' ')[0]} p95 ms, ${CONNECTIONS} clients (round ${round})`, assay: result.p95, baseline: { name: "the issue's aim", value: aim }, aim: { ratio: 1, at: 'most' } });
      }
      process.stderr.write(`round ${round}: ${results.map((r) => `${r.name.split(' ')[0]} p95 ${r.p95.toFixed(1)} ms`).join(', ')}\n`);
    }

    const refresh = async () => (await server.gql<{ refreshAnalyticsViews: { views: { name: string; durationMs: number }[] } }>(REFRESH, {}, admin)).data.refreshAnalyticsViews.views;
    const refreshes = { idle: [] as { name: string; durationMs: number }[][], underTimelineLoad: [] as { name: string; durationMs: number }[][] };
    let during: LoadResult | undefined;
    if (REFRESHES) {
      for (let i = 0; i < 3; i++) refreshes.idle.push(await refresh());
      const load = drive('timeline during refreshes', { url: server.url, connections: CONNECTIONS, duration: 8 }, rotate(timeline));
      for (let i = 0; i < 3; i++) refreshes.underTimelineLoad.push(await refresh());
      during = await load;
    }

    process.stdout.write(`${JSON.stringify({ machine: machine(), data: sizes, responseCache: CACHE ? 'on' : 'off', connections: CONNECTIONS, durationSeconds: DURATION, statements, rounds, refreshes, timelineDuringRefreshes: during }, null, 2)}\n`);
  } finally {
    server.stop();
    await db.end();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench monitoring reads: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
