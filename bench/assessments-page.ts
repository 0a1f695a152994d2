/**
 * Load benchmark: "a page of 50 assessments with evidence and student" against a real
 * server on the demo data. Not a test: it prints figures, asserts nothing.
 *
 *   node -r @swc-node/register bench/assessments-page.ts [--as admin|teacher1] [--connections 50] [--duration 20]
 *     [--sessions N] [--workers N] [--cache on|off] [--identity] [--writes-per-second N] [--cpu-prof DIR]
 *
 * It creates the database `assay_bench` on BENCH_PG_URL (default: the local PostgreSQL,
 * postgres://postgres@127.0.0.1:5432/postgres), migrates and seeds it, starts
 * `bin/assay.js serve` in a child process (so the load generator does not share the
 * server's event loop), and drives it with autocannon on 127.0.0.1 only.
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MikroORM } from '@mikro-orm/postgresql';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { migrate } from '../src/db/migrator';
import { ormConfig } from '../src/db/orm-config';
import { seedDemoData } from '../src/db/seed';

const { values } = parseArgs({
  options: {
    as: { type: 'string', default: 'admin' },
    connections: { type: 'string', default: '50' },
    duration: { type: 'string', default: '20' },
    port: { type: 'string', default: '4100' },
    'cpu-prof': { type: 'string' },
    workers: { type: 'string', default: '1' },
    cache: { type: 'string', default: 'on' },
    sessions: { type: 'string' },
    identity: { type: 'boolean', default: false },
    'writes-per-second': { type: 'string', default: '0' },
  },
});

const ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DATABASE = 'assay_bench';
const JWT_SECRET = 'bench-secret-that-is-at-least-32-bytes-long';
const QUERY = `query Assessments($first: Int) {
  assessments(first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id skillType score confidence createdAt student { id } evidence { id kind content } } }
  }
}`;

async function admin(sql: string) {
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function databaseUrl(): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${DATABASE}`;
  return url.toString();
}

async function prepareDatabase() {
  await admin(`drop database if exists ${DATABASE} with (force)`);
  await admin(`create database ${DATABASE}`);
  const orm = await MikroORM.init(ormConfig({ clientUrl: databaseUrl() }));
  try {
    await migrate(orm);
    await seedDemoData(orm.em.fork(), 'assay-demo');
  } finally {
    await orm.close(true);
  }
}

async function waitUntilReady(base: string) {
  for (let i = 0; i < 200; i++) {
    const ok = await fetch(`${base}/readyz`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not become ready');
}

async function post(url: string, token: string, query: string, variables: object) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return {
    body: (await response.json()) as { data?: any; errors?: unknown[] },
    statements: response.headers.get('x-sql-statements'),
    cache: response.headers.get('x-assay-cache'),
  };
}

async function login(url: string, account: string): Promise<string> {
  const result = await post(url, '', 'mutation($e: String!) { login(email: $e, password: "assay-demo") { accessToken } }', {
    e: `${account}@example.edu`,
  });
  if (!result.body.data) throw new Error(`login ${account}: ${JSON.stringify(result.body.errors)}`);
  return result.body.data.login.accessToken as string;
}

/** utime + stime of a /proc/<pid>/stat line, in ms (clock ticks of 10 ms). */
function statCpuMs(stat: string): number {
  const fields = stat.split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** CPU time (user + system, ms) a process and its children (the workers) have used, from /proc. */
function cpuMs(pid: number): number {
  const own = statCpuMs(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  return children.reduce((sum, child) => sum + cpuMs(child), own);
}

/** CPU time of every PostgreSQL process on the machine (the bench's database is the only busy one). */
function postgresCpuMs(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.includes('(postgres)')) total += statCpuMs(stat);
    } catch {
      // the process ended while we looked
    }
  }
  return total;
}

/**
 * --writes-per-second N: createAssessment as admin N times a second
 * during the run. Every commit invalidates every cached answer, so this measures the cache
 * under a write stream rather than in a quiet period.
 */
function writeWhileLoading(url: string, token: string, perSecond: number, studentId: string) {
  let writes = 0;
  let failures = 0;
  const input = {
    studentId,
    skillType: 'EMPATHY',
    score: 0.5,
    confidence: 0.5,
    reasoning: 'bench write',
    source: 'AI_MODEL',
    modelName: 'bench',
    modelVersion: '1',
    evidence: [{ kind: 'OTHER', content: 'bench' }],
  };
  const timer =
    perSecond > 0
      ? setInterval(() => {
          post(url, token, 'mutation($input: CreateAssessmentInput!) { createAssessment(input: $input) { id } }', { input }).then(
            (r) => (r.body.errors ? failures++ : writes++),
            () => failures++,
          );
        }, 1000 / perSecond)
      : null;
  return {
    stop: async () => {
      if (timer) clearInterval(timer);
      if (failures) throw new Error(`${failures} writes failed during the run`);
      return writes;
    },
  };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function main() {
  await prepareDatabase();
  const port = Number(values.port);
  const base = `http://127.0.0.1:${port}`;
  const profile = values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(values['cpu-prof'])] : [];
  const server = spawn(process.execPath, [...profile, path.resolve(__dirname, '../bin/assay.js'), 'serve'], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: databaseUrl(),
      JWT_SECRET,
      WORKERS: values.workers,
      RESPONSE_CACHE_MB: values.cache === 'off' ? '0' : '64',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await waitUntilReady(base);
    const url = `${base}/graphql`;
    // One session per connection, as 50 clients would have, spread over the --as accounts
    // (comma-separated). Sessions of one account share cached answers; accounts do not.
    const viewers = values.as.split(',');
    const sessions = Number(values.sessions ?? values.connections);
    const tokens: string[] = [];
    for (let i = 0; i < sessions; i++) tokens.push(await login(url, viewers[i % viewers.length]));
    const token = tokens[0];
    const probe = await post(url, token, QUERY, { first: 50 });
    if (probe.body.errors) throw new Error(JSON.stringify(probe.body.errors));
    const repeat = await post(url, token, QUERY, { first: 50 });
    const rows = probe.body.data.assessments.edges.length;
    const evidence = probe.body.data.assessments.edges.reduce((n: number, e: any) => n + e.node.evidence.length, 0);

    // Browsers and fetch() ask for compressed responses; --identity measures clients that do not.
    const headers = { 'content-type': 'application/json', ...(values.identity ? {} : { 'accept-encoding': 'gzip' }) };
    let nextClient = 0;
    const options = {
      url,
      method: 'POST' as const,
      headers,
      body: JSON.stringify({ query: QUERY, variables: { first: 50 } }),
      connections: Number(values.connections),
      setupClient: (client: autocannon.Client) => {
        client.setHeaders({ ...headers, authorization: `Bearer ${tokens[nextClient++ % tokens.length]}` });
      },
    };
    const loadBefore = os.loadavg()[0];
    await autocannon({ ...options, duration: 3 }); // warm-up: JIT, pools, caches
    const latencies: number[] = [];
    const cpuBefore = cpuMs(server.pid!);
    const loadCpuBefore = process.cpuUsage();
    const postgresCpuBefore = postgresCpuMs();
    const writer = writeWhileLoading(url, await login(url, 'admin'), Number(values['writes-per-second']), probe.body.data.assessments.edges[0].node.student.id);
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      const instance = autocannon({ ...options, duration: Number(values.duration) }, (error: Error | null, done) => (error ? reject(error) : resolve(done)));
      instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
    });
    const writes = await writer.stop();
    const serverCpuMsPerRequest = Number(((cpuMs(server.pid!) - cpuBefore) / latencies.length).toFixed(2));
    const postgresCpuMsPerRequest = Number(((postgresCpuMs() - postgresCpuBefore) / latencies.length).toFixed(2));
    const loadCpu = process.cpuUsage(loadCpuBefore);
    const loadGeneratorCpuMsPerRequest = Number(((loadCpu.user + loadCpu.system) / 1000 / latencies.length).toFixed(2));
    latencies.sort((a, b) => a - b);

    const figures = {
      viewers,
      workers: Number(values.workers),
      responseCache: values.cache,
      rowsPerPage: rows,
      evidencePerPage: evidence,
      sqlStatementsPerRequest: { first: Number(probe.statements), repeated: Number(repeat.statements), repeatedFromCache: repeat.cache === 'hit' },
      connections: options.connections,
      durationSeconds: Number(values.duration),
      requests: latencies.length,
      non2xx: result.non2xx,
      errors: result.errors,
      requestsPerSecond: Math.round(result.requests.average),
      serverCpuMsPerRequest,
      loadGeneratorCpuMsPerRequest,
      postgresCpuMsPerRequest,
      sessions,
      compressed: !values.identity,
      writesDuringRun: writes,
      latencyMs: {
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        p99: percentile(latencies, 99),
        max: latencies.at(-1),
      },
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, Node ${process.version}, 1-minute load average before the run ${loadBefore.toFixed(2)}`,
    };
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    await admin(`drop database if exists ${DATABASE} with (force)`);
  }
}

main().catch((error) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
