import http from 'node:http';
import { Client } from 'pg';
import { BENCH_PASSWORD } from '../exams/common';
import { cpuSeconds, machine, poisson, postRaw, postgresCpu, postgresCpuSecondsSince, type LoadResult } from '../lib/load';
import { report } from '../lib/report';
import { startServer, type BenchServer } from '../lib/server';
import { MONITORING_DATABASE_URL, attemptEvents, type AttemptRef } from './common';
import { copyEncoded, encodeEvents, type EventRow } from './copy';

/*
 * Ingestion of proctoring events, side by side in one run, into the same table and the
 * same attempts (fresh IN_PROGRESS attempts started through startAttempt):
 *   - recordMonitoringEvents through a real server, batches of 100 and of 1,000;
 *   - binary COPY of the same batches straight into monitoring_events (one COPY a batch);
 *   - single-row INSERTs (a prepared statement, one row each, autocommit);
 * each by 4 concurrent clients for BENCH_DURATION seconds, the whole sequence BENCH_ROUNDS
 * times (A B A B), then single-event calls at 500 a second. Rows per second count rows the
 * database accepted; request bodies and COPY buffers are prepared before the clock starts,
 * so client-side encoding is not what is measured (each call stamps a new batch id into its
 * buffer in place), and both sides use Node's own clients (node:http keep-alive, pg).
 */

const PORT = Number(process.env.BENCH_PORT ?? 4520);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 4);
const SINGLE_RATE = Number(process.env.BENCH_SINGLE_RATE ?? 500);
const SINGLE_ATTEMPTS = 50;
/** Which measurements to run, in this order each round (single-event calls run after the rounds). */
const MODES = (process.env.BENCH_MODES ?? 'graphql-100,copy-100,graphql-1000,copy-1000,insert,single').split(',');
/** Extra flags for the server's node, e.g. BENCH_NODE_FLAGS=--cpu-prof. */
const nodeFlags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);

const RECORD = `mutation Record($attemptId: ID!, $events: [MonitoringEventInput!]!) {
  recordMonitoringEvents(attemptId: $attemptId, events: $events) { accepted duplicates flagged }
}`;

/** A placeholder of fixed width in every event id, overwritten per batch so that each batch is new rows. */
const MARK = 'XXXXXXXXXXXXXXXX';
let batchCounter = 0;
const nextMark = () => (batchCounter++).toString(36).padStart(MARK.length, '0');

interface Lane {
  attempt: AttemptRef;
  token: string;
}

const sampleEvents = (attempt: AttemptRef, count: number) =>
  [...attemptEvents(attempt, count, 7, false, MARK)].map((e) => ({ ...e, clientTimestamp: new Date(attempt.startedAt.getTime() + 1000) }));

/** The event as a client sends it: the server adds the attempt, its start and the student. */
const toInput = ({ eventId, eventType, severity, payload, isAnomaly, anomalyScore, description, clientTimestamp }: EventRow) =>
  ({ eventId, eventType, severity, payload, isAnomaly, anomalyScore, description, clientTimestamp });

async function startAttempts(server: BenchServer, db: Client, count: number): Promise<Lane[]> {
  // Students with an exam of their cohort that still allows an attempt, and none in progress on it.
  const { rows } = await db.query<{ email: string; exam_id: string }>(
    `select distinct on (u.id) u.email, e.id as exam_id
       from users u join student_profiles sp on sp.user_id = u.id
       join teacher_profiles tp on sp.cohort = any (tp.cohorts_taught)
       join exams e on e.creator_id = tp.user_id and e.is_published
      where (select count(*) from exam_attempts a where a.student_id = u.id and a.exam_id = e.id) < e.max_attempts
        and not exists (select 1 from exam_attempts a where a.student_id = u.id and a.status = 'IN_PROGRESS')
      order by u.id, e.id limit $1`,
    [count],
  );
  if (rows.length < count) throw new Error(`only ${rows.length} students can start an attempt; regenerate the data`);
  return Promise.all(
    rows.map(async (r) => {
      const token = await server.login(r.email, BENCH_PASSWORD);
      const { data } = await server.gql<{ startAttempt: { id: string; startedAt: string; student: { id: string } } }>(
        'mutation($examId: ID!) { startAttempt(examId: $examId) { id startedAt student { id } } }',
        { examId: r.exam_id },
        token,
      );
      return { token, attempt: { id: data.startAttempt.id, startedAt: new Date(data.startAttempt.startedAt), studentId: data.startAttempt.student.id } };
    }),
  );
}

interface Throughput {
  mode: string;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  /** CPU of the server process per 1,000 rows (GraphQL modes only). */
  serverCpuMsPer1000Rows?: number;
  postgresCpuMsPer1000Rows: number;
  /** This process's CPU: the clients share the machine's cores with the server and PostgreSQL. */
  loadGeneratorCpuMsPer1000Rows: number;
}

/** Runs `send` in CLIENTS loops for DURATION seconds; each call returns the rows the database took. */
async function measure(mode: string, send: (lane: number) => Promise<number>, serverPid?: number): Promise<Throughput> {
  const cpuBefore = serverPid ? cpuSeconds(serverPid) : 0;
  const postgresBefore = postgresCpu();
  const ownBefore = process.cpuUsage();
  const started = performance.now();
  const until = started + DURATION * 1000;
  const counts = await Promise.all(
    Array.from({ length: CLIENTS }, async (_, lane) => {
      let rows = 0;
      while (performance.now() < until) rows += await send(lane);
      return rows;
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const rows = counts.reduce((a, b) => a + b, 0);
  const per1000Rows = (cpu: number) => Number(((cpu * 1e6) / rows).toFixed(1));
  const own = process.cpuUsage(ownBefore);
  const result: Throughput = {
    mode,
    rows,
    seconds: Number(seconds.toFixed(2)),
    rowsPerSecond: Math.round(rows / seconds),
    postgresCpuMsPer1000Rows: per1000Rows(postgresCpuSecondsSince(postgresBefore)),
    loadGeneratorCpuMsPer1000Rows: per1000Rows((own.user + own.system) / 1e6),
  };
  if (serverPid) result.serverCpuMsPer1000Rows = per1000Rows(cpuSeconds(serverPid) - cpuBefore);
  return result;
}

async function graphqlMode(server: BenchServer, lanes: Lane[], batch: number): Promise<Throughput> {
  // Like the COPY buffers: each lane's body is encoded once, and every call stamps a new batch id in place.
  const bodies = lanes.map((l) => Buffer.from(JSON.stringify({ query: RECORD, variables: { attemptId: l.attempt.id, events: sampleEvents(l.attempt, batch).map(toInput) } })));
  const offsets = bodies.map(markOffsets);
  const url = new URL(server.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: lanes.length });
  try {
    return await measure(
      `recordMonitoringEvents, batches of ${batch}`,
      async (lane) => {
        const mark = nextMark();
        for (const at of offsets[lane]) bodies[lane].write(mark, at, 'latin1');
        const { answer } = await postRaw(url, agent, bodies[lane], lanes[lane].token);
        const body = JSON.parse(answer.toString()) as { data?: { recordMonitoringEvents: { accepted: number } }; errors?: unknown[] };
        if (!body.data) throw new Error(JSON.stringify(body.errors).slice(0, 300));
        return body.data.recordMonitoringEvents.accepted;
      },
      server.pid,
    );
  } finally {
    agent.destroy();
  }
}

/** Every offset of MARK in `data`, to stamp a new batch id in place. */
function markOffsets(data: Buffer): number[] {
  const offsets: number[] = [];
  for (let at = data.indexOf(MARK); at >= 0; at = data.indexOf(MARK, at + MARK.length)) offsets.push(at);
  return offsets;
}

async function copyMode(clients: Client[], lanes: Lane[], batch: number): Promise<Throughput> {
  const buffers = await Promise.all(lanes.map((l) => encodeEvents(sampleEvents(l.attempt, batch))));
  const offsets = buffers.map(markOffsets);
  return measure(`binary COPY, batches of ${batch}`, async (lane) => {
    const mark = nextMark();
    for (const at of offsets[lane]) buffers[lane].write(mark, at, 'latin1');
    await copyEncoded(clients[lane], buffers[lane]);
    return batch;
  });
}

async function insertMode(clients: Client[], lanes: Lane[]): Promise<Throughput> {
  const samples = lanes.map((l) => sampleEvents(l.attempt, 1)[0]);
  return measure('single-row INSERT', async (lane) => {
    const e = samples[lane];
    await clients[lane].query({
      name: 'insert-event',
      text: `insert into monitoring_events (attempt_id, attempt_started_at, student_id, event_id, event_type, severity, payload,
               is_anomaly, anomaly_score, description, client_timestamp) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      values: [e.attemptId, e.attemptStartedAt, e.studentId, e.eventId.replace(MARK, nextMark()), e.eventType, e.severity, e.payload, e.isAnomaly, e.anomalyScore, e.description, e.clientTimestamp],
    });
    return 1;
  });
}

/** Single-event calls arriving at SINGLE_RATE a second (Poisson) over SINGLE_ATTEMPTS students' attempts. */
async function singleEvents(server: BenchServer, lanes: Lane[], db: Client, round: number): Promise<LoadResult & { stored: number; serverCpuMsPerCall: number; postgresCpuMsPerCall: number }> {
  let n = 0;
  const prefix = `single-${round}-`;
  const cpuBefore = cpuSeconds(server.pid);
  const postgresBefore = postgresCpu();
  const result = await poisson(`single-event calls at ${SINGLE_RATE}/s`, { url: server.url, duration: DURATION, warmup: 5, connections: SINGLE_ATTEMPTS, rate: SINGLE_RATE, seed: round }, () => {
    const lane = lanes[n % lanes.length];
    const [event] = sampleEvents(lane.attempt, 1);
    return { token: lane.token, body: JSON.stringify({ query: RECORD, variables: { attemptId: lane.attempt.id, events: [toInput({ ...event, eventId: `${prefix}${n++}` })] } }) };
  });
  const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from monitoring_events where attempt_id = any ($1) and event_id like $2`, [lanes.map((l) => l.attempt.id), `${prefix}%`]);
  // Over every call made, warm-up included: each stored one event.
  const perCall = (cpu: number) => Number(((cpu * 1000) / rows[0].n).toFixed(2));
  return { ...result, stored: rows[0].n, serverCpuMsPerCall: perCall(cpuSeconds(server.pid) - cpuBefore), postgresCpuMsPerCall: perCall(postgresCpuSecondsSince(postgresBefore)) };
}

async function main() {
  const db = new Client({ connectionString: MONITORING_DATABASE_URL });
  await db.connect();
  const server = await startServer({ databaseUrl: MONITORING_DATABASE_URL, port: PORT, nodeFlags });
  const clients = Array.from({ length: CLIENTS }, () => new Client({ connectionString: MONITORING_DATABASE_URL }));
  try {
    await Promise.all(clients.map((c) => c.connect()));
    const lanes = await startAttempts(server, db, CLIENTS + SINGLE_ATTEMPTS);
    const [batchLanes, singleLanes] = [lanes.slice(0, CLIENTS), lanes.slice(CLIENTS)];
    const statements = async (batch: number) =>
      (await server.gql(RECORD, { attemptId: batchLanes[0].attempt.id, events: sampleEvents(batchLanes[0].attempt, batch).map((e) => toInput({ ...e, eventId: e.eventId.replace(MARK, nextMark()) })) }, batchLanes[0].token)).statements;
    // The first call may authenticate the lane's token (logins since wrote users, which
    // makes the access registry forget); counted from the second on.
    await statements(1);
    const statementsPerCall = { 1: await statements(1), 100: await statements(100), 1000: await statements(1000) };

    const modes: Record<string, () => Promise<Throughput>> = {
      'graphql-100': () => graphqlMode(server, batchLanes, 100),
      'copy-100': () => copyMode(clients, batchLanes, 100),
      'graphql-1000': () => graphqlMode(server, batchLanes, 1000),
      'copy-1000': () => copyMode(clients, batchLanes, 1000),
      insert: () => insertMode(clients, batchLanes),
    };
    const rounds: { round: number; results: Throughput[]; ratios: Record<string, number | undefined> }[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const results = new Map<string, Throughput>();
      for (const [mode, run] of Object.entries(modes)) if (MODES.includes(mode)) results.set(mode, await run());
      const ratio = (a: string, b: string) => (results.has(a) && results.has(b) ? Number((results.get(a)!.rowsPerSecond / results.get(b)!.rowsPerSecond).toFixed(2)) : undefined);
      rounds.push({
        round,
        results: [...results.values()],
        ratios: {
          'graphql 100 / copy 100': ratio('graphql-100', 'copy-100'),
          'graphql 1000 / copy 1000': ratio('graphql-1000', 'copy-1000'),
          'graphql 100 / single INSERT': ratio('graphql-100', 'insert'),
          'graphql 1000 / single INSERT': ratio('graphql-1000', 'insert'),
        },
      });
      process.stderr.write(`round ${round}: ${JSON.stringify(rounds.at(-1)!.ratios)}\n`);
      const compare = (mode: string, baseline: string, name: string, aim: number) => {
        const [ours, theirs] = [results.get(mode), results.get(baseline)];
        if (ours && theirs) report({ scenario: 'Ingestion of proctoring events', measure: `rows/s, ${mode} against ${baseline} (round ${round})`, assay: ours.rowsPerSecond, baseline: { name, value: theirs.rowsPerSecond }, aim: { ratio: aim, at: 'least' } });
      };
      compare('graphql-1000', 'copy-1000', 'binary COPY of the same batches', 0.5);
      compare('graphql-100', 'copy-100', 'binary COPY of the same batches', 0.5);
      compare('graphql-1000', 'insert', 'single-row INSERTs', 20);
    }
    const single = [];
    if (MODES.includes('single')) for (let round = 1; round <= ROUNDS; round++) single.push(await singleEvents(server, singleLanes, db, round));
    for (const [i, result] of single.entries()) {
      report({ scenario: 'Ingestion of proctoring events', measure: `single-event calls at ${SINGLE_RATE}/s, p99 ms (round ${i + 1})`, assay: result.p99, baseline: { name: "the issue's aim", value: 10 }, aim: { ratio: 1, at: 'most' } });
    }
    process.stdout.write(`${JSON.stringify({ machine: machine(), clients: CLIENTS, durationSeconds: DURATION, statementsPerCall, rounds, single }, null, 2)}\n`);
  } finally {
    server.stop();
    await Promise.all(clients.map((c) => c.end()));
    await db.end();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench monitoring ingest: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
