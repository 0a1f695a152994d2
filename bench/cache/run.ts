/**
 * The response cache under writes it should ignore: the contract's page of 50 (as admin,
 * cache on, NODE_ENV=production) at BENCH_CONNECTIONS clients, side by side in one run,
 * each round in this order:
 *   quiet         no writes;
 *   unrelated     10 writes a second (plain SQL) to quests, a table the page does not read;
 *   other-db      10 writes a second to a table of another database on the same server;
 *   ingestion     proctoring events streaming in through recordMonitoringEvents (5 students,
 *                 a batch of 50 every 250 ms each: 20 batches, 1,000 events a second);
 *   related       for contrast, 10 writes a second to evidence, which the page reads.
 * Each writing phase is reported as a ratio of the quiet phase of its round, and the median
 * of those ratios over the rounds. The tables the ingestion wrote (their change counters)
 * are printed, to show what the page was spared.
 *
 *   npm run bench:cache
 *
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/assay_bench_auth) gets the
 * demo data when it has none; the other database is assay_bench_elsewhere on the same server.
 * BENCH_DURATION seconds a phase (6), BENCH_ROUNDS (5), BENCH_CONNECTIONS (10).
 */
import 'reflect-metadata';
import { Client } from 'pg';
import { DEMO_PASSWORD, prepareDemoDatabase } from '../lib/demo-database';
import { drive, machine, type LoadResult } from '../lib/load';
import { report } from '../lib/report';
import { startServer, type BenchServer } from '../lib/server';

const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/assay_bench_auth';
const ELSEWHERE_URL = Object.assign(new URL(DATABASE_URL), { pathname: '/assay_bench_elsewhere' }).toString();
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const DURATION = Number(process.env.BENCH_DURATION ?? 6);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PAGE = `query Assessments($first: Int) {
  assessments(first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id skillType score confidence createdAt student { id } evidence { id kind content } } }
  }
}`;
const RECORD = `mutation Record($attemptId: ID!, $events: [MonitoringEventInput!]!) {
  recordMonitoringEvents(attemptId: $attemptId, events: $events) { accepted }
}`;

async function connect(url: string) {
  const client = new Client({ connectionString: url });
  await client.connect();
  return client;
}

async function prepareElsewhere(): Promise<Client> {
  const admin = await connect(Object.assign(new URL(DATABASE_URL), { pathname: '/postgres' }).toString());
  try {
    const exists = (await admin.query(`select 1 from pg_database where datname = 'assay_bench_elsewhere'`)).rowCount! > 0;
    if (!exists) await admin.query('create database assay_bench_elsewhere');
  } finally {
    await admin.end();
  }
  const client = await connect(ELSEWHERE_URL);
  await client.query('create table if not exists noise (id bigserial primary key, at timestamptz not null default now())');
  return client;
}

/** Calls `write` `perSecond` times a second until stopped; stop() says how many succeeded and throws on a failure. */
function repeat(perSecond: number, write: (n: number) => Promise<unknown>) {
  let done = 0;
  let failure: Error | null = null;
  let n = 0;
  const timer = setInterval(() => {
    write(n++).then(
      () => done++,
      (error: unknown) => (failure ??= error instanceof Error ? error : new Error(String(error))),
    );
  }, 1000 / perSecond);
  return async () => {
    clearInterval(timer);
    await new Promise((r) => setTimeout(r, 300));
    if (failure) throw failure;
    return done;
  };
}

interface Lane {
  attemptId: string;
  token: string;
}

/** Demo students with an attempt in progress, logged in. */
async function ingestionLanes(server: BenchServer, db: Client, count: number): Promise<Lane[]> {
  const { rows } = await db.query<{ id: string; email: string }>(
    `select a.id, u.email from exam_attempts a join users u on u.id = a.student_id where a.status = 'IN_PROGRESS' order by u.email limit $1`,
    [count],
  );
  if (rows.length < count) throw new Error(`only ${rows.length} attempts in progress in the demo data`);
  return Promise.all(rows.map(async (r) => ({ attemptId: r.id, token: await server.login(r.email, DEMO_PASSWORD) })));
}

let batchNumber = 0;
function ingest(server: BenchServer, lanes: Lane[]) {
  return repeat(lanes.length * 4, async (n) => {
    const lane = lanes[n % lanes.length];
    const batch = `${process.pid}-${Date.now()}-${batchNumber++}`;
    const events = Array.from({ length: 50 }, (_, i) => ({
      eventId: `${batch}-${i}`,
      eventType: 'eye_movement',
      severity: 'NORMAL',
      payload: { x: i, y: n },
      isAnomaly: false,
      clientTimestamp: new Date().toISOString(),
    }));
    const answer = await server.gql<{ recordMonitoringEvents: { accepted: number } }>(RECORD, { attemptId: lane.attemptId, events }, lane.token);
    if (answer.data.recordMonitoringEvents.accepted !== 50) throw new Error('a batch was not accepted whole');
  });
}

const versions = async (db: Client) =>
  new Map((await db.query<{ t: string; v: string }>('select table_name as t, sum(version)::text as v from table_versions group by 1')).rows.map((r) => [r.t, Number(r.v)]));

async function main() {
  await prepareDemoDatabase(DATABASE_URL);
  const db = await connect(DATABASE_URL);
  const elsewhere = await prepareElsewhere();
  const server = await startServer({ databaseUrl: DATABASE_URL, port: 4314, env: { RESPONSE_CACHE_MB: '64' } });
  try {
    const token = await server.login('admin@example.edu', DEMO_PASSWORD);
    const lanes = await ingestionLanes(server, db, 5);
    const [quest] = (await db.query<{ id: string }>('select id from quests order by id limit 1')).rows;
    const body = JSON.stringify({ query: PAGE, variables: { first: 50 } });
    await server.gql(PAGE, { first: 50 }, token);
    const warm = await server.gql(PAGE, { first: 50 }, token);
    console.log(`the page of 50 is ${warm.cache === 'hit' ? 'cached' : 'NOT cached'} after one ask`);

    const phase = async (name: string, writer?: () => () => Promise<number>) => {
      const stop = writer?.();
      const result = await drive(name, { url: server.url, connections: CONNECTIONS, duration: DURATION, serverPid: server.pid }, () => ({ body, token }));
      const writes = stop ? await stop() : 0;
      if (result.errors || result.non2xx) throw new Error(`${name}: ${result.errors} errors, ${result.non2xx} non-2xx`);
      return { ...result, writes };
    };
    const [evidence] = (await db.query<{ id: string }>('select id from evidence order by id limit 1')).rows;
    const writers: Record<string, () => () => Promise<number>> = {
      unrelated: () => repeat(10, () => db.query('update quests set updated_at = now() where id = $1', [quest.id])),
      'other-db': () => repeat(10, () => elsewhere.query('insert into noise default values')),
      ingestion: () => ingest(server, lanes),
      related: () => repeat(10, (n) => db.query('update evidence set content = $2 where id = $1', [evidence.id, `bench ${n}`])),
    };
    const rounds: Record<string, LoadResult & { writes: number }>[] = [];
    const ratios: Record<string, number[]> = Object.fromEntries(Object.keys(writers).map((name) => [name, []]));
    let ingestionWrote = new Map<string, number>();
    for (let round = 1; round <= ROUNDS; round++) {
      const quiet = await phase('quiet');
      const results: Record<string, LoadResult & { writes: number }> = { quiet };
      console.log(`round ${round}`);
      console.log(`  quiet      ${quiet.reqPerSec} req/s, p50 ${quiet.p50.toFixed(2)} ms, p95 ${quiet.p95.toFixed(2)} ms, server CPU ${quiet.serverCpuMsPerRequest} ms/req`);
      for (const [name, writer] of Object.entries(writers)) {
        const before = await versions(db);
        const r = (results[name] = await phase(name, writer));
        if (name === 'ingestion') {
          const after = await versions(db);
          ingestionWrote = new Map([...after].filter(([t, v]) => v !== (before.get(t) ?? 0)).map(([t, v]) => [t, v - (before.get(t) ?? 0)]));
        }
        ratios[name].push(r.reqPerSec / quiet.reqPerSec);
        report({
          scenario: 'The cached page under writes it should ignore',
          measure: `requests/s, ${name} writes (round ${round})`,
          assay: r.reqPerSec,
          baseline: { name: 'the same page with no writes', value: quiet.reqPerSec },
          ...(name === 'unrelated' || name === 'other-db' ? { aim: { ratio: 0.9, at: 'least' as const } } : {}),
        });
        const versus = `${(r.reqPerSec / quiet.reqPerSec).toFixed(2)}× quiet, p95 ${(r.p95 / quiet.p95).toFixed(2)}×`;
        console.log(`  ${name.padEnd(10)} ${r.reqPerSec} req/s, p50 ${r.p50.toFixed(2)} ms, p95 ${r.p95.toFixed(2)} ms, server CPU ${r.serverCpuMsPerRequest} ms/req, ${r.writes} writes (${versus})`);
      }
      rounds.push(results);
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    for (const [name, values] of Object.entries(ratios)) console.log(`median ${name.padEnd(10)} ${median(values).toFixed(2)}× quiet (rounds: ${values.map((v) => v.toFixed(2)).join(', ')})`);
    console.log('tables the ingestion wrote (statements):', Object.fromEntries(ingestionWrote));
    console.log(JSON.stringify({ machine: machine(), connections: CONNECTIONS, duration: DURATION, rounds }, null, 2));
  } finally {
    server.stop();
    await db.end();
    await elsewhere.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
