/**
 * A soak: one `assay serve` under a steady, open-loop mixed load for BENCH_SOAK_MINUTES,
 * sampled every BENCH_SOAK_WINDOW_SECONDS (memory, PostgreSQL backends, latency and
 * failures by kind, flag deliveries), then the first window after the warm-up compared with
 * the last. Exits non-zero when a request failed or a subscriber missed a flag.
 *
 *   npm run bench:soak
 *   BENCH_SOAK_MINUTES=2 BENCH_SOAK_WINDOW_SECONDS=20 npm run bench:soak
 *
 * The load, each kind Poisson arrivals at its own rate (BENCH_SOAK_<KIND>_RATE a second):
 * the contract's assessments page (ASSESSMENTS), studentDashboard (STUDENT_DASHBOARD),
 * teacherDashboard (TEACHER_DASHBOARD), flaggedStudents (FLAGGED), createAssessment as the
 * admin (WRITE), recordMonitoringEvents batches of BENCH_SOAK_BATCH events into the 50
 * students' attempts (INGEST), and finished attempts (TURNOVER: a batch with a CRITICAL
 * event, which flags the attempt, then submitAttempt and startAttempt); beside it
 * BENCH_SOAK_SUBSCRIBERS graphql-ws subscribers on studentFlagged (the admin and the
 * teachers), connected throughout.
 *
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/assay_bench_soak) is
 * dropped and recreated with the demo data, so every soak starts from the same rows.
 * BENCH_REDIS_URL, when set, is the server's REDIS_URL (one instance needs none). The server
 * listens on BENCH_PORT (4620) and its inspector on the next port, for its live heap.
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createClient, type Client as WsClient } from 'graphql-ws';
import { Client } from 'pg';
import WebSocket from 'ws';
import { ASSESSMENT_PAGE, TEACHER_DASHBOARD } from '../lib/documents';
import { prepareDemoDatabase } from '../lib/demo-database';
import { cpuSeconds, machine, rotate } from '../lib/load';
import { startServer, type BenchServer } from '../lib/server';
import { attemptRef, createExams, logIn, nextBatch, openLanes, responses, START_ATTEMPT, type Lane, type Sessions, type StartedAttempt } from './setup';
import { Inspector } from './inspector';
import { figures, openLoop, Recorder, type KindFigures } from './traffic';

const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/assay_bench_soak';
const REDIS_URL = process.env.BENCH_REDIS_URL;
const PORT = Number(process.env.BENCH_PORT ?? 4620);
const MINUTES = Number(process.env.BENCH_SOAK_MINUTES ?? 10);
const WINDOW_SECONDS = Number(process.env.BENCH_SOAK_WINDOW_SECONDS ?? 60);
const SUBSCRIBERS = Number(process.env.BENCH_SOAK_SUBSCRIBERS ?? 50);
const BATCH = Number(process.env.BENCH_SOAK_BATCH ?? 20);
const rate = (name: string, fallback: number) => Number(process.env[`BENCH_SOAK_${name}_RATE`] ?? fallback);
/** About 110 requests a second in all: the server, PostgreSQL and this process share two cores. */
const RATES = {
  assessments: rate('ASSESSMENTS', 25),
  studentDashboard: rate('STUDENT_DASHBOARD', 15),
  teacherDashboard: rate('TEACHER_DASHBOARD', 5),
  flaggedStudents: rate('FLAGGED', 10),
  createAssessment: rate('WRITE', 2),
  recordMonitoringEvents: rate('INGEST', 50),
  turnover: rate('TURNOVER', 0.5),
};
/** What a soak on this shared two-core machine still calls noise, first measured window against the last. */
const MEMORY_GROWTH_LIMIT_PCT = 10;
const P99_RATIO_LIMIT = 2;
/** Below this many requests in a window, its p99 is one or two answers: reported, not judged. */
const P99_MIN_REQUESTS = 100;
/**
 * How often RSS is read within a window. Its lowest reading is what the window is judged by:
 * one reading swung by 50-100 MB between windows with the heap flat (V8 growing and
 * shrinking its spaces); a leak raises the floor.
 */
const RSS_READ_MS = 5000;
/** The server's inspector, for a full collection and the heap that survives it (inspector.ts). */
const INSPECTOR_PORT = PORT + 1;

const STUDENT_DASHBOARD = `query StudentDashboard {
  studentDashboard {
    student { id username }
    profile { cohort cumulativeIntegrity attemptsCompleted attemptsPassed currentDropoutRisk flaggedForReview }
    performance { totalAttempts passedAttempts averageScore averageIntegrity currentRiskLabel flaggedForIntervention lastAttemptAt }
    history(limit: 10) { id status percentage completedAt exam { id title subject } }
    integrityStatus { level cumulativeIntegrity flaggedForReview }
    recommendations
  }
}`;
const FLAGGED_STUDENTS = `query FlaggedStudents($first: Int) {
  flaggedStudents(first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id cohort highestSeverity flaggedAttempts flags lastFlaggedAt student { id username } } }
  }
}`;
const CREATE_ASSESSMENT = 'mutation CreateAssessment($input: CreateAssessmentInput!) { createAssessment(input: $input) { id evidence { id } } }';
const SUBMIT_ATTEMPT = 'mutation SubmitAttempt($attemptId: ID!, $submission: SubmissionInput!) { submitAttempt(attemptId: $attemptId, submission: $submission) { id status } }';
const STUDENT_FLAGGED = 'subscription StudentFlagged { studentFlagged { cursor seq severity reason at student { id email } attempt { id } exam { id title } } }';
/** Tables the load adds rows to. */
const WRITTEN_TABLES = ['skill_assessments', 'evidence', 'exam_attempts', 'monitoring_events', 'student_flag_events'];

const body = (query: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query, variables });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes: number) => Number((bytes / 2 ** 20).toFixed(1));

function describeRun() {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: __dirname, encoding: 'utf8' }).trim();
  const dirty = git('status', '--porcelain', '--untracked-files=no') ? ' (with uncommitted changes)' : '';
  const settings = Object.entries(process.env)
    .filter(([name]) => name.startsWith('BENCH_'))
    .map(([name, value]) => `${name}=${value!.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')}`);
  const script = process.env.npm_lifecycle_event ? `npm run ${process.env.npm_lifecycle_event}` : `node -r @swc-node/register ${path.relative(process.cwd(), process.argv[1])}`;
  return { machine: machine(), commit: `${git('rev-parse', '--short', 'HEAD')}${dirty}`, date: new Date().toISOString(), command: [...settings, script].join(' ') };
}

async function freshDatabase() {
  const admin = new Client({ connectionString: Object.assign(new URL(DATABASE_URL), { pathname: '/postgres' }).toString() });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${new URL(DATABASE_URL).pathname.slice(1)} with (force)`);
  } finally {
    await admin.end();
  }
  await prepareDemoDatabase(DATABASE_URL);
}

/** Rows and megabytes of each written table (a partitioned one over its partitions), and of the whole database. */
async function tableSizes(db: Client) {
  const sizes = new Map<string, { rows: number | null; mb: number }>();
  for (const table of WRITTEN_TABLES) {
    const { rows } = await db.query<{ rows: number; bytes: string }>(
      `select (select count(*)::int from ${table}) as rows, coalesce((select sum(pg_total_relation_size(relid)) from pg_partition_tree($1::regclass)), pg_total_relation_size($1::regclass)) as bytes`,
      [table],
    );
    sizes.set(table, { rows: rows[0].rows, mb: mb(Number(rows[0].bytes)) });
  }
  const { rows } = await db.query<{ bytes: string }>('select pg_database_size(current_database()) as bytes');
  sizes.set('(database)', { rows: null, mb: mb(Number(rows[0].bytes)) });
  return sizes;
}

const metric = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
const readMetrics = async () => (await fetch(`http://127.0.0.1:${PORT}/metrics`)).text();
const rssMb = (pid: number) => mb(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024);

interface Subscribers {
  /** Per principal (0 the admin, then each teacher), the flags it may see. */
  expected: number[];
  /** Per subscriber, its principal and the seqs it received. */
  each: { principal: number; seqs: Set<number>; received: number }[];
  clients: WsClient[];
  connected: number;
  /** Connections that ended before the soak did. */
  dropped: number;
  deliveries: number;
  stopping: boolean;
}

async function subscribe(principals: string[]): Promise<Subscribers> {
  const subs: Subscribers = { expected: principals.map(() => 0), each: [], clients: [], connected: 0, dropped: 0, deliveries: 0, stopping: false };
  for (let i = 0; i < SUBSCRIBERS; i++) {
    const mine = { principal: i % principals.length, seqs: new Set<number>(), received: 0 };
    const client = createClient({
      url: `ws://127.0.0.1:${PORT}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${principals[mine.principal]}` },
      retryAttempts: 0,
      lazy: false,
      onNonLazyError: () => undefined,
      on: {
        connected: () => subs.connected++,
        closed: () => void (subs.stopping || subs.dropped++),
      },
    });
    client.subscribe<{ studentFlagged: { seq: number } }>(
      { query: STUDENT_FLAGGED },
      {
        next: ({ data }) => {
          if (!data) return;
          mine.seqs.add(data.studentFlagged.seq);
          mine.received++;
          subs.deliveries++;
        },
        error: () => void (subs.stopping || subs.dropped++),
        complete: () => undefined,
      },
    );
    subs.each.push(mine);
    subs.clients.push(client);
  }
  const deadline = Date.now() + 30_000;
  while (subs.connected < SUBSCRIBERS && Date.now() < deadline) await sleep(100);
  if (subs.connected < SUBSCRIBERS) throw new Error(`only ${subs.connected} of ${SUBSCRIBERS} subscribers connected`);
  return subs;
}

interface WindowSample {
  window: string;
  seconds: string;
  rssMb: number;
  rssFloorMb: number;
  /** The heap right after a full collection at the window's end. */
  liveHeapMb: number;
  /** Buffers outside the heap: the response cache's answers (RESPONSE_CACHE_MB, 64) among them. */
  externalMb: number;
  handles: number;
  subscriptions: number;
  pgBackends: number;
  serverCpuPct: number;
  loadGeneratorCpuPct: number;
  flags: number;
  deliveries: number;
}

/** The load: each kind's task, started at its rate by openLoop. */
function traffic(recorder: Recorder, lanes: Lane[], tokens: Sessions, subs: Subscribers, counters: { flags: number; criticalUnflagged: number }) {
  const read = (kind: string, readers: string[], request: string) => {
    const next = rotate(readers);
    return async () => void (await recorder.call(kind, next(), request));
  };
  const staff = [tokens.admin, ...tokens.teachers];
  const ingest = async (lane: Lane, critical: boolean) => {
    const call = recorder.call('recordMonitoringEvents', lane.token, nextBatch(lane, BATCH, critical));
    lane.pending.add(call);
    const answer = await call;
    lane.pending.delete(call);
    if (!answer) return false;
    const flagged = (JSON.parse(answer.toString()) as { data: { recordMonitoringEvents: { flagged: number } } }).data.recordMonitoringEvents.flagged > 0;
    if (flagged) {
      counters.flags++;
      subs.expected[0]++;
      subs.expected[lane.teacher + 1]++;
    } else if (critical) counters.criticalUnflagged++;
    return true;
  };
  let cursor = 0;
  /** The next lane that takes events, or undefined when every lane is between attempts. */
  const idleLane = () => {
    for (let tries = 0; tries < lanes.length; tries++) {
      const lane = lanes[cursor++ % lanes.length];
      if (!lane.busy) return lane;
    }
    return undefined;
  };
  let writes = 0;
  let submissions = 0;
  return {
    assessments: read('assessments', [...staff, ...tokens.students.slice(0, 4)], body(ASSESSMENT_PAGE, { first: 50 })),
    studentDashboard: read('studentDashboard', tokens.students, body(STUDENT_DASHBOARD)),
    teacherDashboard: read('teacherDashboard', tokens.teachers, body(TEACHER_DASHBOARD)),
    flaggedStudents: read('flaggedStudents', staff, body(FLAGGED_STUDENTS, { first: 20 })),
    createAssessment: async () => {
      const n = writes++;
      const input = {
        studentId: lanes[n % lanes.length].attempt.studentId,
        skillType: ['EMPATHY', 'PROBLEM_SOLVING', 'RESILIENCE', 'COLLABORATION'][n % 4],
        score: (n % 100) / 100,
        confidence: 0.8,
        reasoning: `Soak assessment ${n}: consistent work across the term`,
        source: 'AI_MODEL',
        modelName: 'soak',
        modelVersion: '1',
        evidence: [
          { kind: 'LINGUISTIC', content: `Quoted answer ${n}` },
          { kind: 'BEHAVIORAL', content: 'Asked for help when stuck' },
        ],
      };
      await recorder.call('createAssessment', tokens.admin, body(CREATE_ASSESSMENT, { input }));
    },
    recordMonitoringEvents: async () => {
      const lane = idleLane();
      if (lane) await ingest(lane, false);
    },
    // A lane that fails a step stays busy (out of the load); the failure is counted.
    turnover: async () => {
      const lane = idleLane();
      if (!lane) return;
      lane.busy = true;
      await Promise.all(lane.pending);
      if (!(await ingest(lane, true))) return;
      const submission = { responses: responses(submissions++), proctoring: { tabSwitches: 1, focusLostSeconds: 5 } };
      if (!(await recorder.call('submitAttempt', lane.token, body(SUBMIT_ATTEMPT, { attemptId: lane.attempt.id, submission })))) return;
      const started = await recorder.call('startAttempt', lane.token, body(START_ATTEMPT, { examId: lane.examId }));
      if (!started) return;
      lane.attempt = attemptRef((JSON.parse(started.toString()) as { data: StartedAttempt }).data);
      lane.busy = false;
    },
  };
}

async function main() {
  const windows = Math.floor((MINUTES * 60) / WINDOW_SECONDS);
  if (windows < 3) throw new Error(`BENCH_SOAK_MINUTES × 60 / BENCH_SOAK_WINDOW_SECONDS gives ${windows} windows: at least 3 (a warm-up, a first and a last)`);
  console.log(JSON.stringify({ ...describeRun(), windows, windowSeconds: WINDOW_SECONDS, rates: RATES, batch: BATCH, subscribers: SUBSCRIBERS, redis: REDIS_URL ? 'on' : 'off' }, null, 2));

  await freshDatabase();
  // Sessions are made once, before the clock starts: their access tokens must outlive the soak.
  const tokenTtl = Math.min(86_400, Math.max(900, MINUTES * 60 + 600));
  const server: BenchServer = await startServer({
    databaseUrl: DATABASE_URL,
    port: PORT,
    nodeFlags: [`--inspect=127.0.0.1:${INSPECTOR_PORT}`],
    env: { ACCESS_TOKEN_TTL_SECONDS: String(tokenTtl), ...(REDIS_URL ? { REDIS_URL } : {}) },
  });
  const db = new Client({ connectionString: DATABASE_URL });
  const recorder = new Recorder(server.url, 64);
  let inspector: Inspector | undefined;
  let subs: Subscribers | undefined;
  try {
    inspector = await Inspector.connect(INSPECTOR_PORT);
    await db.connect();
    const sessions = await logIn(server);
    const exams = await createExams(server, sessions);
    const lanes = await openLanes(server, sessions, exams);
    // One of each read, checked: a query the schema refuses fails here, not 10 minutes of it.
    await server.gql(ASSESSMENT_PAGE, { first: 50 }, sessions.admin);
    await server.gql(STUDENT_DASHBOARD, {}, sessions.students[0]);
    await server.gql(TEACHER_DASHBOARD, {}, sessions.teachers[0]);
    await server.gql(FLAGGED_STUDENTS, { first: 20 }, sessions.admin);
    subs = await subscribe([sessions.admin, ...sessions.teachers]);
    const sizesBefore = await tableSizes(db);

    const counters = { flags: 0, criticalUnflagged: 0 };
    const tasks = traffic(recorder, lanes, sessions, subs, counters);
    const start = performance.now();
    const until = start + windows * WINDOW_SECONDS * 1000;
    const load = Promise.all(Object.entries(tasks).map(([kind, task], i) => openLoop(RATES[kind as keyof typeof RATES], i + 1, until, task)));

    const samples: WindowSample[] = [];
    const perKind: KindFigures[][] = [];
    let windowStart = start;
    let mark = { server: cpuSeconds(server.pid), own: process.cpuUsage(), flags: 0, deliveries: 0 };
    for (let w = 0; w < windows; w++) {
      const end = start + (w + 1) * WINDOW_SECONDS * 1000;
      let rssFloor = Infinity;
      while (performance.now() < end) {
        rssFloor = Math.min(rssFloor, rssMb(server.pid));
        await sleep(Math.min(RSS_READ_MS, end - performance.now()));
      }
      // The last window takes in the answers still in flight when arrivals stop.
      if (w === windows - 1) await load;
      const closed = recorder.take();
      const seconds = (performance.now() - windowStart) / 1000;
      const rssEnd = rssMb(server.pid);
      const text = await readMetrics();
      const liveHeap = await inspector.liveHeapBytes();
      const { rows } = await db.query<{ n: number }>('select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()');
      const own = process.cpuUsage(mark.own);
      const serverCpu = cpuSeconds(server.pid);
      const sample: WindowSample = {
        window: w === 0 ? `${w + 1} (warm-up)` : String(w + 1),
        seconds: `${Math.round((windowStart - start) / 1000)}–${Math.round((performance.now() - start) / 1000)}`,
        rssMb: rssEnd,
        rssFloorMb: Math.min(rssFloor, rssEnd),
        liveHeapMb: mb(liveHeap),
        externalMb: mb(metric(text, 'assay_nodejs_external_memory_bytes')),
        handles: metric(text, 'assay_nodejs_active_handles_total'),
        subscriptions: metric(text, 'assay_subscription_connections'),
        pgBackends: rows[0].n,
        serverCpuPct: Math.round(((serverCpu - mark.server) / seconds) * 100),
        loadGeneratorCpuPct: Math.round(((own.user + own.system) / 1e6 / seconds) * 100),
        flags: counters.flags - mark.flags,
        deliveries: subs.deliveries - mark.deliveries,
      };
      mark = { server: serverCpu, own: process.cpuUsage(), flags: counters.flags, deliveries: subs.deliveries };
      windowStart = performance.now();
      samples.push(sample);
      perKind.push([...Object.keys(tasks).filter((k) => k !== 'turnover'), 'submitAttempt', 'startAttempt'].map((kind) => figures(kind, closed.get(kind), seconds)));
      console.log(`\nwindow ${sample.window}, ${sample.seconds} s: ${JSON.stringify(sample)}`);
      console.table(perKind[w]);
      for (const [kind, k] of closed) if (k.firstFailure) console.log(`  first failure of ${kind}: ${k.firstFailure}`);
    }
    // Flags committed at the very end still reach their subscribers: a live poll at most.
    await sleep(3000);
    const sizesAfter = await tableSizes(db);
    process.exitCode = report(samples, perKind, subs, counters, sizesBefore, sizesAfter) ? 0 : 1;
  } finally {
    if (subs) {
      subs.stopping = true;
      for (const client of subs.clients) void client.dispose();
    }
    recorder.close();
    inspector?.close();
    await db.end();
    server.stop();
  }
}

/** Prints the summary and each check's verdict; true when nothing failed and no flag went missing. */
function report(
  samples: WindowSample[],
  perKind: KindFigures[][],
  subs: Subscribers,
  counters: { flags: number; criticalUnflagged: number },
  before: Awaited<ReturnType<typeof tableSizes>>,
  after: Awaited<ReturnType<typeof tableSizes>>,
): boolean {
  const [first, last] = [1, samples.length - 1];
  console.log('\nSummary: memory and the server by window');
  console.table(samples);
  console.log('Database growth over the soak (the load writes rows: expected, not judged):');
  console.table([...before].map(([table, b]) => ({ table, rowsBefore: b.rows, rowsAfter: after.get(table)?.rows, mbBefore: b.mb, mbAfter: after.get(table)?.mb })));

  const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
  const lines: string[] = [];
  const growth = (name: string, key: 'rssFloorMb' | 'liveHeapMb') => {
    const [a, b] = [samples[first][key], samples[last][key]];
    const pct = ((b - a) / a) * 100;
    // Least squares over the measured windows: a leak climbs steadily, noise does not.
    const ys = samples.slice(first).map((s) => s[key]);
    const xs = ys.map((_, i) => (i * WINDOW_SECONDS) / 60);
    const mx = xs.reduce((s, x) => s + x, 0) / xs.length;
    const my = ys.reduce((s, y) => s + y, 0) / ys.length;
    const slope = xs.reduce((s, x, i) => s + (x - mx) * (ys[i] - my), 0) / xs.reduce((s, x) => s + (x - mx) ** 2, 0);
    lines.push(
      `${name}: ${a} → ${b} MB (${pct >= 0 ? '+' : ''}${(b - a).toFixed(1)} MB, ${pct >= 0 ? '+' : ''}${pct.toFixed(1)} %), trend ${slope >= 0 ? '+' : ''}${slope.toFixed(2)} MB/min: ${verdict(pct <= MEMORY_GROWTH_LIMIT_PCT)} (limit +${MEMORY_GROWTH_LIMIT_PCT} %)`,
    );
  };
  growth('server RSS floor', 'rssFloorMb');
  growth('server heap after a full GC', 'liveHeapMb');

  const comparison = perKind[first].map((a) => {
    const b = perKind[last].find((k) => k.kind === a.kind)!;
    const ratio = Number((b.p99 / a.p99).toFixed(2));
    const judged = a.requests >= P99_MIN_REQUESTS && b.requests >= P99_MIN_REQUESTS;
    lines.push(`${a.kind} p99: ${a.p99} → ${b.p99} ms (${ratio}x): ${judged ? `${verdict(ratio <= P99_RATIO_LIMIT)} (limit ${P99_RATIO_LIMIT}x)` : `not judged (under ${P99_MIN_REQUESTS} requests a window)`}`);
    return { kind: a.kind, requestsFirst: a.requests, p50First: a.p50, p99First: a.p99, requestsLast: b.requests, p50Last: b.p50, p99Last: b.p99, p99Ratio: ratio };
  });
  console.log(`Latency (ms), window ${first + 1} (first after the warm-up) against window ${last + 1} (last):`);
  console.table(comparison);

  const all = perKind.flat();
  const requests = all.reduce((s, k) => s + k.requests, 0);
  const errors = all.reduce((s, k) => s + k.errors, 0);
  const non2xx = all.reduce((s, k) => s + k.non2xx, 0);
  const requestsOk = errors === 0 && non2xx === 0 && counters.criticalUnflagged === 0;
  lines.push(
    `errors: ${errors} errors and ${non2xx} non-2xx in ${requests} requests (warm-up included), ${counters.criticalUnflagged} CRITICAL batches that raised no flag: ${verdict(requestsOk)}`,
  );
  let missing = 0;
  let unexpected = 0;
  let duplicates = 0;
  for (const s of subs.each) {
    missing += Math.max(0, subs.expected[s.principal] - s.seqs.size);
    unexpected += Math.max(0, s.seqs.size - subs.expected[s.principal]);
    duplicates += s.received - s.seqs.size;
  }
  const expected = subs.each.reduce((s, e) => s + subs.expected[e.principal], 0);
  const subscribersOk = subs.dropped === 0 && missing === 0 && unexpected === 0 && duplicates === 0 && (counters.flags > 0 || RATES.turnover === 0);
  lines.push(
    `subscribers: ${SUBSCRIBERS} connected, ${subs.dropped} dropped; ${counters.flags} flags, ${subs.deliveries} deliveries of ${expected} expected (${missing} missing, ${unexpected} unexpected, ${duplicates} duplicates): ${verdict(subscribersOk)}`,
  );
  console.log(`\n${lines.join('\n')}`);
  return requestsOk && subscribersOk;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
