/**
 * A legitimate client's latency while a tenth of the traffic is hostile: the same steady
 * rate of ordinary reads alone (quiet) and beside hostile documents and bodies (abused),
 * A B A B, and the ratio of the legitimate p99s. The hostile requests are the shapes the
 * edge refuses before execution (test/hostile-input.test.ts): depth, aliases, fragment
 * cycles, directives, a huge list, an oversized body, deeply nested JSON, a batch, NUL bytes.
 *
 *   npm run bench:abuse
 *
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/assay_bench_auth) gets the
 * demo data when it has none. BENCH_RATE legitimate calls a second (90; the hostile ones are
 * a ninth of that), BENCH_DURATION seconds a phase (15), BENCH_ROUNDS rounds (2).
 */
import 'reflect-metadata';
import { DEMO_PASSWORD, prepareDemoDatabase } from '../lib/demo-database';
import { drive, machine, rotate, type LoadResult } from '../lib/load';
import { startServer } from '../lib/server';

const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/assay_bench_auth';
const RATE = Number(process.env.BENCH_RATE ?? 90);
const DURATION = Number(process.env.BENCH_DURATION ?? 15);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

const query = (text: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query: text, variables });

/** One body of each hostile shape; each is refused before anything is executed. */
function hostileBodies(): string[] {
  const deep = `{ me { ${'quests { edges { node { creator { '.repeat(12)}id${' } } } }'.repeat(12)} } }`;
  const aliases = `{ ${Array.from({ length: 500 }, (_, i) => `a${i}: me { id }`).join(' ')} }`;
  const cycle = 'query { me { ...A } } fragment A on User { ...B } fragment B on User { ...A }';
  const directives = `{ me ${'@include(if: true) '.repeat(200)}{ id } }`;
  const nested = `{"query":"{ me { id } }","variables":{"x":${'['.repeat(5000)}${']'.repeat(5000)}}}`;
  return [
    query(deep),
    query(aliases),
    query(cycle),
    query(directives),
    query('query($ids: [ID!]!) { me { id } }', { ids: Array.from({ length: 100_000 }, (_, i) => String(i)) }),
    query(`{ me { id } } # ${'x'.repeat(2_000_000)}`),
    nested,
    JSON.stringify(Array.from({ length: 100 }, () => ({ query: '{ me { id } }' }))),
    query('{ me { id } }', { note: 'a\u0000b', __proto__: { admin: true } }),
  ];
}

async function main() {
  await prepareDemoDatabase(DATABASE_URL);
  const server = await startServer({ databaseUrl: DATABASE_URL, port: 4320, env: { RESPONSE_CACHE_MB: '0' } });
  try {
    const tokens = await Promise.all(Array.from({ length: 10 }, (_, i) => server.login(`student${i + 1}@example.edu`, DEMO_PASSWORD)));
    const read = query('{ me { id username } assessments(first: 20) { totalCount edges { node { id skillType score createdAt } } } }');
    const legitimate = () => drive('legitimate', { url: server.url, connections: 10, duration: DURATION, rate: RATE, serverPid: server.pid }, rotate(tokens.map((token) => ({ body: read, token }))));
    const bodies = hostileBodies();
    // What each hostile body gets: a refusal naming its limit, never data and never a 5xx.
    for (const body of bodies) {
      const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[0]}` }, body });
      const answer = (await response.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
      console.log(`${response.status} ${answer.errors?.[0]?.extensions?.code ?? 'no error'}${answer.data ? ' WITH DATA' : ''}: ${answer.errors?.[0]?.message.slice(0, 90) ?? ''}`);
    }
    const hostile = () =>
      drive('hostile', { url: server.url, connections: 2, duration: DURATION, rate: Math.ceil(RATE / 9) }, rotate(bodies.map((body) => ({ body, token: tokens[0] }))));

    const rows: (LoadResult & { phase: string })[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      rows.push({ phase: `quiet ${round}`, ...(await legitimate()) });
      const [legit, abuse] = await Promise.all([legitimate(), hostile()]);
      rows.push({ phase: `abused ${round}`, ...legit }, { phase: `abused ${round}`, ...abuse });
    }
    console.log(JSON.stringify({ machine: machine(), rate: RATE, hostileRate: Math.ceil(RATE / 9), duration: DURATION }, null, 2));
    console.table(rows.map(({ phase, name, requests, non2xx, errors, reqPerSec, p50, p95, p99 }) => ({ phase, name, requests, non2xx, errors, reqPerSec, p50, p95, p99 })));
    for (let round = 1; round <= ROUNDS; round++) {
      const quiet = rows.find((r) => r.phase === `quiet ${round}`)!;
      const abused = rows.find((r) => r.phase === `abused ${round}` && r.name === 'legitimate')!;
      console.log(`round ${round}: legitimate p99 ${quiet.p99} ms quiet, ${abused.p99} ms abused: ${(abused.p99 / quiet.p99).toFixed(2)}x (target at most 1.5x)`);
    }
  } finally {
    server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
