import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { BENCH_DATABASE_URL, BENCH_PASSWORD, benchEmail } from './common';

/*
 * Load run against the generated database: starts `assay serve` in its own process,
 * logs in a pool of students and teachers, and drives studentDashboard and examAnalytics
 * with autocannon at 20 concurrent connections. Latency percentiles are computed from
 * every response time (autocannon's own summary has no p95).
 */

const PORT = Number(process.env.BENCH_PORT ?? 4510);
const URL = `http://127.0.0.1:${PORT}/graphql`;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const DURATION = Number(process.env.BENCH_DURATION ?? 30);
const TOKENS = 40;
/** Browsers and fetch() ask for compressed responses; BENCH_IDENTITY=1 measures clients that do not. */
const ACCEPT_ENCODING: Record<string, string> = process.env.BENCH_IDENTITY === '1' ? {} : { 'accept-encoding': 'gzip' };
/** Extra flags for the server's node, e.g. BENCH_NODE_FLAGS=--max-semi-space-size=32. */
const nodeFlags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);

const STUDENT_DASHBOARD = `query StudentDashboard {
  studentDashboard {
    student { id username }
    profile { cohort cumulativeIntegrity cumulativeLmi attemptsCompleted attemptsPassed currentDropoutRisk flaggedForReview }
    performance { totalAttempts passedAttempts averageScore subjectScores strengths weaknesses averageIntegrity integrityTrend averageLmi lmiTrend currentRiskLabel flaggedForIntervention lastAttemptAt }
    history(limit: 10) { id status percentage dropoutLabel completedAt exam { id title subject } }
    integrityStatus { level cumulativeIntegrity flaggedForReview }
    dropoutRisk
    recommendations
  }
}`;

const EXAM_ANALYTICS = `query ExamAnalytics($examId: ID!) {
  examAnalytics(examId: $examId) {
    examId attempts inProgress uniqueStudents averageScore passRate averageIntegrity highRiskCount flaggedCount
    scoreDistribution { from to count }
    students { student { id username } attempts bestPercentage averagePercentage passed averageIntegrity latestDropoutLabel flagged lastCompletedAt }
  }
}`;

/** The same figures without the per-student rows: separates SQL cost from per-row GraphQL cost. */
const EXAM_ANALYTICS_SUMMARY = `query ExamAnalyticsSummary($examId: ID!) {
  examAnalytics(examId: $examId) {
    examId attempts inProgress uniqueStudents averageScore passRate averageIntegrity highRiskCount flaggedCount
    scoreDistribution { from to count }
  }
}`;

async function gql(query: string, variables: Record<string, unknown>, token?: string) {
  const response = await fetch(URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
  if (body.errors) throw new Error(`${query.slice(0, 40)}…: ${JSON.stringify(body.errors).slice(0, 300)}`);
  return { data: body.data!, statements: Number(response.headers.get('x-sql-statements')), cache: response.headers.get('x-assay-cache') };
}

const login = async (email: string) =>
  ((await gql('mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }', { e: email, p: BENCH_PASSWORD })).data.login as { accessToken: string }).accessToken;

async function startServer(): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...nodeFlags, '-r', '@swc-node/register', path.resolve(__dirname, '../../src/cli/main.ts'), 'serve'], {
    env: { ...process.env, DATABASE_URL: BENCH_DATABASE_URL, JWT_SECRET: randomBytes(48).toString('base64'), PORT: String(PORT), HOST: '127.0.0.1', LOG_LEVEL: 'fatal', NODE_ENV: 'production', MIGRATE_ON_START: 'false', LOGIN_MAX_FAILURES_PER_IP: '100000' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${PORT}/healthz`)).ok) return child;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  child.kill();
  throw new Error('server did not start');
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function load(name: string, requests: { body: string; token: string }[]) {
  const times: number[] = [];
  let next = 0;
  const options: autocannon.Options = {
    url: URL,
    method: 'POST',
    connections: CONNECTIONS,
    duration: DURATION,
    requests: [
      {
        setupRequest: (request) => {
          const pick = requests[next++ % requests.length];
          return { ...request, body: pick.body, headers: { 'content-type': 'application/json', ...ACCEPT_ENCODING, authorization: `Bearer ${pick.token}` } };
        },
      },
    ],
  };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (error: Error | null, done) => (error ? reject(error) : resolve(done)));
    instance.on('response', (_client, _status, _bytes, responseTime) => times.push(responseTime));
  });
  times.sort((a, b) => a - b);
  return {
    name,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    reqPerSec: Math.round(result.requests.average),
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    p99: percentile(times, 99),
  };
}

async function main() {
  const db = new Client({ connectionString: BENCH_DATABASE_URL });
  await db.connect();
  const sizes = (await db.query(`select (select count(*) from users where role = 'STUDENT')::int as students, (select count(*) from exams)::int as exams, (select count(*) from exam_attempts)::int as attempts`)).rows[0];
  const examsByTeacher = (await db.query(`select u.email, array_agg(e.id::text) as exams from exams e join users u on u.id = e.creator_id group by u.email`)).rows as { email: string; exams: string[] }[];
  await db.end();

  const server = await startServer();
  try {
    const students = await Promise.all(Array.from({ length: TOKENS }, (_, i) => login(benchEmail('student', 1 + i * Math.floor(sizes.students / TOKENS)))));
    const teachers = await Promise.all(examsByTeacher.map(async (t) => ({ token: await login(t.email), exams: t.exams })));
    const dashboardRequests = students.map((token) => ({ token, body: JSON.stringify({ query: STUDENT_DASHBOARD }) }));
    const analyticsRequests = (query: string) =>
      teachers.flatMap((t) => t.exams.map((examId) => ({ token: t.token, body: JSON.stringify({ query, variables: { examId } }) })));

    // One checked request of each: no errors, and the statements it costs.
    const dashboardSample = await gql(STUDENT_DASHBOARD, {}, students[0]);
    const analyticsSample = await gql(EXAM_ANALYTICS, { examId: teachers[0].exams[0] }, teachers[0].token);
    const summarySample = await gql(EXAM_ANALYTICS_SUMMARY, { examId: teachers[0].exams[0] }, teachers[0].token);
    const analyzed = analyticsSample.data.examAnalytics as { attempts: number; students: unknown[] };
    // Asked again: a repeat is what the response cache answers (one statement), unless it is turned off.
    const statementsOf = async (query: string, variables: Record<string, unknown>, token: string, first: { statements: number }) => {
      const again = await gql(query, variables, token);
      return { first: first.statements, repeated: again.statements, repeatedFromCache: again.cache === 'hit' };
    };
    const statements = {
      dashboard: await statementsOf(STUDENT_DASHBOARD, {}, students[0], dashboardSample),
      analytics: await statementsOf(EXAM_ANALYTICS, { examId: teachers[0].exams[0] }, teachers[0].token, analyticsSample),
      summary: await statementsOf(EXAM_ANALYTICS_SUMMARY, { examId: teachers[0].exams[0] }, teachers[0].token, summarySample),
    };

    const warmup = Number(process.env.BENCH_WARMUP ?? 5);
    if (warmup) {
      await autocannon({ url: URL, method: 'POST', connections: CONNECTIONS, duration: warmup, headers: { 'content-type': 'application/json', authorization: `Bearer ${students[0]}` }, body: dashboardRequests[0].body });
    }
    const results = [
      { ...(await load('studentDashboard', dashboardRequests)), statements: statements.dashboard },
      { ...(await load('examAnalytics', analyticsRequests(EXAM_ANALYTICS))), statements: statements.analytics },
      { ...(await load('examAnalytics (summary only)', analyticsRequests(EXAM_ANALYTICS_SUMMARY))), statements: statements.summary },
    ];
    const cpu = os.cpus();
    process.stdout.write(
      JSON.stringify(
        {
          data: sizes,
          analyticsRowsPerRequest: { attempts: analyzed.attempts, students: analyzed.students.length },
          machine: { cpus: cpu.length, model: cpu[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version },
          connections: CONNECTIONS,
          workers: Number(process.env.WORKERS ?? 1),
          responseCache: process.env.RESPONSE_CACHE_MB === '0' ? 'off' : 'on',
          compressed: Object.keys(ACCEPT_ENCODING).length > 0,
          nodeFlags,
          durationSeconds: DURATION,
          results,
        },
        null,
        2,
      ) + '\n',
    );
  } finally {
    server.kill('SIGTERM');
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench run: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
