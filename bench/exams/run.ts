import autocannon from 'autocannon';
import { Client } from 'pg';
import { TEACHER_DASHBOARD } from '../lib/documents';
import { drive, machine, rotate, type LoadRequest } from '../lib/load';
import { report } from '../lib/report';
import { startServer } from '../lib/server';
import { BENCH_DATABASE_URL, BENCH_PASSWORD, benchEmail } from './common';

/*
 * Load run against the generated database: starts `assay serve` in its own process,
 * logs in a pool of students and teachers, and drives studentDashboard, teacherDashboard
 * and examAnalytics with autocannon at BENCH_CONNECTIONS (20) concurrent connections. Latency percentiles are computed from
 * every response time (autocannon's own summary has no p95).
 */

const PORT = Number(process.env.BENCH_PORT ?? 4510);
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

async function main() {
  const db = new Client({ connectionString: BENCH_DATABASE_URL });
  await db.connect();
  const sizes = (await db.query(`select (select count(*) from users where role = 'STUDENT')::int as students, (select count(*) from exams)::int as exams, (select count(*) from exam_attempts)::int as attempts`)).rows[0];
  const examsByTeacher = (await db.query(`select u.email, array_agg(e.id::text) as exams from exams e join users u on u.id = e.creator_id group by u.email`)).rows as { email: string; exams: string[] }[];
  await db.end();

  const server = await startServer({ databaseUrl: BENCH_DATABASE_URL, port: PORT, nodeFlags });
  const { gql } = server;
  const login = (email: string) => server.login(email, BENCH_PASSWORD);
  const load = (name: string, requests: LoadRequest[]) =>
    drive(name, { url: server.url, serverPid: server.pid, connections: CONNECTIONS, duration: DURATION, headers: ACCEPT_ENCODING }, rotate(requests));
  try {
    const students = await Promise.all(Array.from({ length: TOKENS }, (_, i) => login(benchEmail('student', 1 + i * Math.floor(sizes.students / TOKENS)))));
    const teachers = await Promise.all(examsByTeacher.map(async (t) => ({ token: await login(t.email), exams: t.exams })));
    const dashboardRequests = students.map((token) => ({ token, body: JSON.stringify({ query: STUDENT_DASHBOARD }) }));
    const teacherDashboardRequests = teachers.map((t) => ({ token: t.token, body: JSON.stringify({ query: TEACHER_DASHBOARD }) }));
    const analyticsRequests = (query: string) =>
      teachers.flatMap((t) => t.exams.map((examId) => ({ token: t.token, body: JSON.stringify({ query, variables: { examId } }) })));

    // One checked request of each: no errors, and the statements it costs.
    const dashboardSample = await gql(STUDENT_DASHBOARD, {}, students[0]);
    const analyticsSample = await gql(EXAM_ANALYTICS, { examId: teachers[0].exams[0] }, teachers[0].token);
    const summarySample = await gql(EXAM_ANALYTICS_SUMMARY, { examId: teachers[0].exams[0] }, teachers[0].token);
    const teacherSample = await gql(TEACHER_DASHBOARD, {}, teachers[0].token);
    const analyzed = analyticsSample.data.examAnalytics as { attempts: number; students: unknown[] };
    // Asked again: a repeat is what the response cache answers (one statement), unless it is turned off.
    const statementsOf = async (query: string, variables: Record<string, unknown>, token: string, first: { statements: number }) => {
      const again = await gql(query, variables, token);
      return { first: first.statements, repeated: again.statements, repeatedFromCache: again.cache === 'hit' };
    };
    const statements = {
      dashboard: await statementsOf(STUDENT_DASHBOARD, {}, students[0], dashboardSample),
      teacherDashboard: await statementsOf(TEACHER_DASHBOARD, {}, teachers[0].token, teacherSample),
      analytics: await statementsOf(EXAM_ANALYTICS, { examId: teachers[0].exams[0] }, teachers[0].token, analyticsSample),
      summary: await statementsOf(EXAM_ANALYTICS_SUMMARY, { examId: teachers[0].exams[0] }, teachers[0].token, summarySample),
    };

    const warmup = Number(process.env.BENCH_WARMUP ?? 5);
    if (warmup) {
      await autocannon({ url: server.url, method: 'POST', connections: CONNECTIONS, duration: warmup, headers: { 'content-type': 'application/json', authorization: `Bearer ${students[0]}` }, body: dashboardRequests[0].body });
    }
    const results = [
      { ...(await load('studentDashboard', dashboardRequests)), statements: statements.dashboard },
      { ...(await load('teacherDashboard', teacherDashboardRequests)), statements: statements.teacherDashboard },
      { ...(await load('examAnalytics', analyticsRequests(EXAM_ANALYTICS))), statements: statements.analytics },
      { ...(await load('examAnalytics (summary only)', analyticsRequests(EXAM_ANALYTICS_SUMMARY))), statements: statements.summary },
    ];
    // Issue 14's aims for the executed path: there is no hand-written baseline for a dashboard.
    const aims: Record<string, number> = { studentDashboard: 20, teacherDashboard: 50, examAnalytics: 50 };
    for (const result of results.filter((r) => r.name in aims)) {
      report({ scenario: 'Dashboards and analytics, executed', measure: `${result.name} p95 ms, ${CONNECTIONS} clients`, assay: result.p95, baseline: { name: "the issue's aim", value: aims[result.name] }, aim: { ratio: 1, at: 'most' } });
    }
    process.stdout.write(
      JSON.stringify(
        {
          data: sizes,
          analyticsRowsPerRequest: { attempts: analyzed.attempts, students: analyzed.students.length },
          machine: machine(),
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
    server.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench run: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
