/**
 * Authenticated `{ me { id } }` on Assay (response cache off, NODE_ENV=production) against
 * plain Apollo Server 5 + graphql-js answering `{ hello }`, side by side: A B A B, each
 * server alone in its own process, driven by autocannon at BENCH_CONNECTIONS (10).
 *
 *   npm run bench:auth
 *
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/assay_bench_auth) is
 * created, migrated and given the demo data when it has none. BENCH_DURATION seconds a
 * round (10), BENCH_ROUNDS rounds (2).
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { DEMO_PASSWORD, prepareDemoDatabase } from '../lib/demo-database';
import { drive, machine, rotate, type LoadResult } from '../lib/load';
import { report } from '../lib/report';
import { startServer } from '../lib/server';

const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/assay_bench_auth';
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
async function startPlainApollo(port: number) {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', path.resolve(__dirname, 'plain-apollo.ts')], {
    env: { ...process.env, PORT: String(port), NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()));
  return { url: `http://127.0.0.1:${port}/`, pid: child.pid!, stop: () => child.kill('SIGTERM') };
}

async function main() {
  await prepareDemoDatabase(DATABASE_URL);
  const assay = await startServer({ databaseUrl: DATABASE_URL, port: 4310, env: { RESPONSE_CACHE_MB: '0' } });
  const plain = await startPlainApollo(4311);
  try {
    const tokens = await Promise.all(Array.from({ length: 10 }, (_, i) => assay.login(`student${i + 1}@example.edu`, DEMO_PASSWORD)));
    const me = JSON.stringify({ query: '{ me { id } }' });
    const probe = await assay.gql<{ me: { id: string } }>('{ me { id } }', {}, tokens[0]);
    await assay.gql('{ me { id } }', {}, tokens[0]);
    const again = await assay.gql<{ me: { id: string } }>('{ me { id } }', {}, tokens[0]);
    console.log(`me answers ${probe.data.me.id}; statements on first use ${probe.statements}, once remembered ${again.statements}`);
    const options = { connections: CONNECTIONS, duration: DURATION };
    const results: LoadResult[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      results.push(await drive(`Assay me (round ${round})`, { ...options, url: assay.url, serverPid: assay.pid }, rotate(tokens.map((token) => ({ body: me, token })))));
      results.push(await drive(`plain Apollo hello (round ${round})`, { ...options, url: plain.url, serverPid: plain.pid }, () => ({ body: '{"query":"{ hello }"}', token: '' })));
    }
    console.log(JSON.stringify({ machine: machine(), connections: CONNECTIONS, duration: DURATION }, null, 2));
    console.table(results);
    for (let round = 0; round < ROUNDS; round++) {
      const [a, b] = [results[2 * round], results[2 * round + 1]];
      console.log(`round ${round + 1}: Assay/plain requests per second ${(a.reqPerSec / b.reqPerSec).toFixed(2)}×`);
      report({
        scenario: 'Framework overhead: authenticated `{ me { id } }`',
        measure: `requests/s, ${CONNECTIONS} clients (round ${round + 1})`,
        assay: a.reqPerSec,
        baseline: { name: 'plain Apollo `{ hello }`', value: b.reqPerSec },
        aim: { ratio: 0.85, at: 'least' },
      });
    }
  } finally {
    assay.stop();
    plain.stop();
  }
}

void main();
