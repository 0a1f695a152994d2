import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createClient, type Client as WsClient } from 'graphql-ws';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import WebSocket from 'ws';
import { flagCtes } from '../../src/services/flags/flag-log';
import { BENCH_PASSWORD, benchEmail, SIZES } from '../exams/common';
import { cpuSeconds, machine, percentile, postgresCpu, postgresCpuSecondsSince } from '../lib/load';
import { report } from '../lib/report';
import { exitOf, startServer, type BenchServer } from '../lib/server';
import { MONITORING_DATABASE_URL } from '../monitoring/common';

/*
 * Flag subscriptions and webhooks under load: two `assay serve` instances on one database
 * and one Redis; BENCH_SUBSCRIBERS graphql-ws subscribers (the bench teachers, round robin,
 * alternating instances) on studentFlagged; flags appended at BENCH_FLAG_RATE a second for
 * BENCH_DURATION seconds (after BENCH_WARMUP seconds of the same, delivered but not
 * measured; default 25), each in its own transaction with the flag log's own SQL
 * (flagCtes) over the bench data's attempts, prepared once per writer as ingestion prepares
 * its statement (db/prepared-query.ts), and announced on the instances' Redis channel as a
 * writing instance does. Measured: commit-to-delivery latency, loss and duplicates
 * against what each subscriber may see (the exams its teacher created), memory per idle
 * subscriber (the servers' RSS), and webhook deliveries a second to a local receiver.
 */

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1000);
const FLAG_RATE = Number(process.env.BENCH_FLAG_RATE ?? 200);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
// A server needs about 20 s of this load before its hot paths are compiled: with 5 s, V8's
// optimizing compiler still took 15 % of an instance's CPU in the measured seconds.
const WARMUP = Number(process.env.BENCH_WARMUP ?? 25);
const WEBHOOKS = Number(process.env.BENCH_WEBHOOKS ?? 4);
const WEBHOOK_FLAGS = Number(process.env.BENCH_WEBHOOK_FLAGS ?? 500);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Extra flags for the servers' node, e.g. BENCH_NODE_FLAGS=--cpu-prof. */
const nodeFlags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const PORTS = [4560, 4561];
/**
 * What to run, in order: `assay` (two `assay serve`), `bare` (the floor beside which Assay is
 * measured, bare-fanout.ts), or a list such as `assay,bare,assay,bare` for A B A B.
 */
const SIDES = (process.env.BENCH_SERVER ?? 'assay').split(',');

const APPEND = `with flag as (select $1::uuid as attempt_id, 'ANOMALIES'::text as reason, 'WARNING'::text as severity, '{"bench":true}'::jsonb as details),
  ${flagCtes('flag')} select seq from flag_event`;

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Subscriber {
  teacher: number;
  client: WsClient;
  seqs: number[];
  at: number[];
}

async function measure(bare: boolean) {
  const db = new Client(MONITORING_DATABASE_URL);
  await db.connect();
  const channel = `assay:${new URL(MONITORING_DATABASE_URL).pathname.slice(1)}:flag-log`;
  const redis = new Redis(REDIS_URL);
  // One secret for both instances, so a token from one is good on the other.
  const env = { REDIS_URL, NODE_ENV: 'production', DB_POOL_MAX: '20', WEBHOOK_POLL_MS: '1000', WEBHOOK_ALLOW_PRIVATE_URLS: 'true', JWT_SECRET: randomBytes(48).toString('base64') };
  const servers: BenchServer[] = [];
  for (const port of PORTS) servers.push(bare ? await startBare(port, channel) : await startServer({ databaseUrl: MONITORING_DATABASE_URL, port, env, nodeFlags }));
  try {
    const { rows: teacherIds } = await db.query<{ id: string; email: string }>(`select id, email from users where email like 'bench-teacher%'`);
    const teacherOf = new Map(teacherIds.map((t) => [t.id, Number(/(\d+)@/.exec(t.email)![1]) - 1]));
    const teachers = bare
      ? Array.from({ length: SIZES.teachers }, (_, i) => [...teacherOf].find(([, n]) => n === i)![0])
      : await Promise.all(Array.from({ length: SIZES.teachers }, (_, i) => servers[0].login(benchEmail('teacher', i + 1), BENCH_PASSWORD)));
    const { rows: attempts } = await db.query<{ id: string; creator_id: string }>(
      `select a.id, e.creator_id from exam_attempts a join exams e on e.id = a.exam_id order by random() limit 5000`,
    );

    const rssBefore = servers.map((s) => rssMb(s.pid));
    const subscribers: Subscriber[] = [];
    let connected = 0;
    for (let i = 0; i < SUBSCRIBERS; i++) {
      const teacher = i % teachers.length;
      const subscriber: Subscriber = { teacher, seqs: [], at: [], client: null as unknown as WsClient };
      subscriber.client = createClient({
        url: `ws://127.0.0.1:${PORTS[i % PORTS.length]}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${teachers[teacher]}` },
        retryAttempts: 0,
        lazy: false,
        onNonLazyError: () => undefined,
        on: { connected: () => connected++ },
      });
      subscriber.client.subscribe<{ studentFlagged: { seq: number } }>(
        { query: 'subscription { studentFlagged { seq exam { id } attempt { id } } }' },
        {
          next: ({ data }) => {
            if (!data) return;
            subscriber.seqs.push(data.studentFlagged.seq);
            subscriber.at.push(performance.timeOrigin + performance.now());
          },
          error: () => undefined,
          complete: () => undefined,
        },
      );
      subscribers.push(subscriber);
      if (i % 100 === 99) await sleep(50);
    }
    while (connected < SUBSCRIBERS) await sleep(100);
    await sleep(3000);
    const rssIdle = servers.map((s) => rssMb(s.pid));

    // Flags at FLAG_RATE a second, Poisson arrivals, each committed and then announced.
    const committedAt = new Map<number, { at: number; teacher: number }>();
    const writers = await Promise.all(Array.from({ length: 4 }, async () => {
      const c = new Client(MONITORING_DATABASE_URL);
      await c.connect();
      return c;
    }));
    let n = 0;
    const pending: Promise<void>[] = [];
    const appendFor = async (seconds: number, measured: boolean) => {
      const end = Date.now() + seconds * 1000;
      let next = Date.now();
      while (Date.now() < end) {
        next += -Math.log(1 - Math.random()) * (1000 / FLAG_RATE);
        const wait = next - Date.now();
        if (wait > 0) await sleep(wait);
        const attempt = attempts[n % attempts.length];
        const writer = writers[n++ % writers.length];
        pending.push(
          writer.query<{ seq: string }>({ name: 'append-flag', text: APPEND, values: [attempt.id] }).then(async ({ rows }) => {
            if (measured) committedAt.set(Number(rows[0].seq), { at: performance.timeOrigin + performance.now(), teacher: teacherOf.get(attempt.creator_id) ?? -1 });
            await redis.publish(channel, JSON.stringify({ at: Date.now() }));
          }),
        );
      }
    };
    // A server that has run for a while has compiled its hot paths: the flags of the warm-up
    // are delivered (and checked for order and duplicates) but not measured.
    await appendFor(WARMUP, false);
    const cpu0 = servers.map((s) => cpuSeconds(s.pid));
    const pg0 = postgresCpu();
    const own0 = process.cpuUsage();
    await appendFor(DURATION, true);
    await Promise.all(pending);
    await sleep(3000);
    const cpu = servers.map((s, i) => cpuSeconds(s.pid) - cpu0[i]);
    const pgCpu = postgresCpuSecondsSince(pg0);
    const own = process.cpuUsage(own0);

    const latencies: number[] = [];
    let expected = 0;
    let missing = 0;
    let duplicates = 0;
    let outOfOrder = 0;
    for (const s of subscribers) {
      const mine = [...committedAt].filter(([, c]) => c.teacher === s.teacher).map(([seq]) => seq).sort((a, b) => a - b);
      expected += mine.length;
      const got = new Set(s.seqs);
      duplicates += s.seqs.length - got.size;
      missing += mine.filter((seq) => !got.has(seq)).length;
      outOfOrder += s.seqs.filter((seq, i) => i > 0 && seq <= s.seqs[i - 1]).length;
      s.seqs.forEach((seq, i) => {
        const c = committedAt.get(seq);
        if (c) latencies.push(s.at[i] - c.at);
      });
    }
    latencies.sort((a, b) => a - b);
    for (const s of subscribers) void s.client.dispose();
    await Promise.all(writers.map((w) => w.end()));

    const webhook = bare ? null : await webhookThroughput(servers[0], db, attempts.map((a) => a.id));
    return {
      server: bare ? 'bare' : 'assay',
      machine: machine(),
      subscribers: SUBSCRIBERS,
      flagRate: FLAG_RATE,
      durationSeconds: DURATION,
      warmupSeconds: WARMUP,
      flags: committedAt.size,
      deliveries: { expected, delivered: latencies.length, missing, duplicates, outOfOrder },
      commitToDeliveryMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), max: latencies.at(-1) },
      memory: { rssBeforeMb: rssBefore, rssIdleMb: rssIdle, perIdleSubscriberKb: ((rssIdle[0] + rssIdle[1] - rssBefore[0] - rssBefore[1]) * 1024) / SUBSCRIBERS },
      // The load generator (subscribers' clients and the flag writer) shares the machine's cores.
      cpuSeconds: { servers: cpu, postgres: pgCpu, loadGenerator: (own.user + own.system) / 1e6 },
      webhook,
    };
  } finally {
    servers.forEach((s) => s.stop());
    await Promise.all(servers.map((s) => s.exited));
    redis.disconnect();
    await db.end();
  }
}

/** The floor's fan-out process on `port` (bare-fanout.ts), in the BenchServer shape the run needs. */
async function startBare(port: number, channel: string): Promise<BenchServer> {
  const child = spawn(process.execPath, [...nodeFlags, '-r', '@swc-node/register', path.resolve(__dirname, 'bare-fanout.ts')], {
    env: { ...process.env, DATABASE_URL: MONITORING_DATABASE_URL, PORT: String(port), REDIS_URL, CHANNEL: channel },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await sleep(1500);
  const unused = () => Promise.reject(new Error('the bare fan-out answers no GraphQL'));
  return { url: `ws://127.0.0.1:${port}/graphql`, gql: unused, login: unused, pid: child.pid!, stop: () => child.kill('SIGTERM'), exited: exitOf(child) };
}

/** WEBHOOKS admin webhooks to a local receiver that answers 204; WEBHOOK_FLAGS flags appended at once; deliveries a second until all arrived. */
async function webhookThroughput(server: BenchServer, db: Client, attemptIds: string[]) {
  let received = 0;
  const receiver = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const admin = await server.login(benchEmail('admin', 1), BENCH_PASSWORD);
  const ids: string[] = [];
  for (let i = 0; i < WEBHOOKS; i++) {
    const { data } = await server.gql<{ createWebhook: { webhook: { id: string } } }>(
      `mutation($url: String!) { createWebhook(input: { url: $url, description: "bench" }) { webhook { id } } }`,
      { url: hookUrl },
      admin,
    );
    ids.push(data.createWebhook.webhook.id);
  }
  const writer = new Client(MONITORING_DATABASE_URL);
  await writer.connect();
  const started = performance.now();
  for (let i = 0; i < WEBHOOK_FLAGS; i++) await writer.query(APPEND, [attemptIds[i % attemptIds.length]]);
  const total = WEBHOOKS * WEBHOOK_FLAGS;
  const deadline = Date.now() + 120_000;
  while (received < total && Date.now() < deadline) await sleep(50);
  const seconds = (performance.now() - started) / 1000;
  await writer.end();
  await db.query('delete from webhooks where id = any ($1::uuid[])', [ids]);
  receiver.close();
  return { webhooks: WEBHOOKS, flags: WEBHOOK_FLAGS, delivered: received, seconds: Number(seconds.toFixed(2)), deliveriesPerSecond: Math.round(received / seconds) };
}

async function main() {
  const p99 = new Map<string, number[]>();
  for (const side of SIDES) {
    const result = await measure(side === 'bare');
    console.log(JSON.stringify(result, null, 1));
    const runs = p99.get(side) ?? [];
    p99.set(side, [...runs, result.commitToDeliveryMs.p99]);
    if (side === 'assay') {
      const scenario = `Subscriptions fan-out: ${SUBSCRIBERS} subscribers, ${FLAG_RATE} flags/s`;
      report({ scenario, measure: `commit-to-delivery p99 ms (run ${runs.length + 1})`, assay: result.commitToDeliveryMs.p99, baseline: { name: "the issue's aim", value: 100 }, aim: { ratio: 1, at: 'most' } });
      if (result.webhook) report({ scenario: 'Webhooks to a local receiver', measure: `deliveries/s, ${WEBHOOKS} webhooks × ${WEBHOOK_FLAGS} flags (run ${runs.length + 1})`, assay: result.webhook.deliveriesPerSecond });
    }
  }
  const [assay, bare] = [p99.get('assay') ?? [], p99.get('bare') ?? []];
  for (let i = 0; i < Math.min(assay.length, bare.length); i++) {
    report({ scenario: `Subscriptions fan-out: ${SUBSCRIBERS} subscribers, ${FLAG_RATE} flags/s`, measure: `commit-to-delivery p99 ms beside the floor (pair ${i + 1})`, assay: assay[i], baseline: { name: 'a bare fan-out (no GraphQL, no rules)', value: bare[i] } });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
