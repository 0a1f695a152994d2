/**
 * The contract's page of 50 assessments with evidence and student, executed (response cache
 * off, NODE_ENV=production, as admin), against the same JSON from one hand-written SQL
 * statement (bench/page/baseline.ts). Both answers are compared for equality first; then
 * A B A B: one client (p50) and BENCH_CONNECTIONS clients (requests per second).
 *
 *   npm run bench:page
 *
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/assay_bench_auth) gets the
 * demo data when it has none. BENCH_DURATION seconds a run (10), BENCH_ROUNDS (2).
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { isDeepStrictEqual } from 'node:util';
import path from 'node:path';
import { DEMO_PASSWORD, prepareDemoDatabase } from '../lib/demo-database';
import { drive, machine, type LoadResult } from '../lib/load';
import { ASSESSMENT_PAGE } from '../lib/documents';
import { report } from '../lib/report';
import { startServer } from '../lib/server';

const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/assay_bench_auth';
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

async function startBaseline(port: number) {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', path.resolve(__dirname, 'baseline.ts')], {
    env: { ...process.env, PORT: String(port), DATABASE_URL },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()));
  return { url: `http://127.0.0.1:${port}/`, pid: child.pid!, stop: () => child.kill('SIGTERM') };
}

const post = async (url: string, body: string, token: string) =>
  (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body })).json();

async function main() {
  await prepareDemoDatabase(DATABASE_URL);
  const assay = await startServer({ databaseUrl: DATABASE_URL, port: 4312, env: { RESPONSE_CACHE_MB: '0' } });
  const baseline = await startBaseline(4313);
  try {
    const token = await assay.login('admin@example.edu', DEMO_PASSWORD);
    const body = JSON.stringify({ query: ASSESSMENT_PAGE, variables: { first: 50 } });
    const [ours, theirs] = [await post(assay.url, body, token), await post(baseline.url, body, '')];
    if (!isDeepStrictEqual(ours, theirs)) {
      console.error(JSON.stringify(ours).slice(0, 600), '\n', JSON.stringify(theirs).slice(0, 600));
      throw new Error('the baseline and Assay answer differently');
    }
    const { statements } = await assay.gql(ASSESSMENT_PAGE, { first: 50 }, token);
    console.log(`answers equal (${(ours as { data: { assessments: { edges: unknown[] } } }).data.assessments.edges.length} edges); Assay ran ${statements} statements`);
    const next = () => ({ body, token });
    const results: LoadResult[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      for (const connections of [1, CONNECTIONS]) {
        const options = { connections, duration: DURATION };
        results.push(await drive(`Assay, ${connections} client(s), round ${round}`, { ...options, url: assay.url, serverPid: assay.pid }, next));
        results.push(await drive(`one SQL statement, ${connections} client(s), round ${round}`, { ...options, url: baseline.url, serverPid: baseline.pid }, next));
      }
    }
    console.log(JSON.stringify({ machine: machine(), connections: CONNECTIONS, duration: DURATION }, null, 2));
    console.table(results);
    for (let i = 0; i < results.length; i += 2) {
      const [a, b] = [results[i], results[i + 1]];
      console.log(`${a.name}: p50 ${(a.p50 / b.p50).toFixed(2)}× the baseline's, requests per second ${(a.reqPerSec / b.reqPerSec).toFixed(2)}×`);
    }
    const scenario = 'Nested reads: the page of 50 assessments';
    const sql = (value: number) => ({ name: 'one SQL statement', value });
    for (let i = 0; i < results.length; i += 4) {
      const [one, oneSql, many, manySql] = results.slice(i, i + 4);
      report(
        { scenario, measure: `p50 ms, 1 client (${one.name.split(', ').at(-1)})`, assay: one.p50, baseline: sql(oneSql.p50), aim: { ratio: 2, at: 'most' } },
        { scenario, measure: `requests/s, ${CONNECTIONS} clients (${many.name.split(', ').at(-1)})`, assay: many.reqPerSec, baseline: sql(manySql.reqPerSec), aim: { ratio: 0.5, at: 'least' } },
      );
    }
  } finally {
    assay.stop();
    baseline.stop();
  }
}

void main();
