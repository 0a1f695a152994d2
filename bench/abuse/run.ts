/**
 * A legitimate client's latency while a tenth of the traffic is hostile: the same steady
 * rate of ordinary reads alone (quiet) and beside hostile documents and bodies (abused),
 * A B A B, and the ratio of the legitimate p99s. Both arrive as seeded Poisson arrivals
 * (independent clients); autocannon's overallRate would send each second's calls as one
 * burst, and its latencies would measure that burst. The hostile requests are the shapes the
 * edge refuses before execution (test/hostile-input.test.ts): depth, aliases, fragment
 * cycles, directives, a huge list, an oversized body, deeply nested JSON, a batch, NUL bytes.
 *
 *   npm run bench:abuse
 *
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/assay_bench_auth) gets the
 * demo data when it has none. BENCH_RATE legitimate calls a second (90; the hostile ones are
 * a ninth of that), BENCH_DURATION seconds a phase (15), BENCH_ROUNDS rounds (2);
 * BENCH_SHAPES=each measures each hostile shape alone beside its own quiet phase.
 */
import 'reflect-metadata';
import { DEMO_PASSWORD, prepareDemoDatabase } from '../lib/demo-database';
import { machine, poisson, rotate, type LoadResult } from '../lib/load';
import { report } from '../lib/report';
import { startServer } from '../lib/server';

const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/assay_bench_auth';
const RATE = Number(process.env.BENCH_RATE ?? 90);
const DURATION = Number(process.env.BENCH_DURATION ?? 15);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const EACH = process.env.BENCH_SHAPES === 'each';
const round2 = (ms: number) => Number(ms.toFixed(2));

const query = (text: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query: text, variables });

/** One body of each hostile shape, by name; each is refused before anything is executed. */
function hostileBodies(): Record<string, string> {
  const deep = `{ me { ${'quests { edges { node { creator { '.repeat(12)}id${' } } } }'.repeat(12)} } }`;
  const aliases = `{ ${Array.from({ length: 500 }, (_, i) => `a${i}: me { id }`).join(' ')} }`;
  const cycle = 'query { me { ...A } } fragment A on User { ...B } fragment B on User { ...A }';
  const directives = `{ me ${'@include(if: true) '.repeat(200)}{ id } }`;
  const nested = `{"query":"{ me { id } }","variables":{"x":${'['.repeat(5000)}${']'.repeat(5000)}}}`;
  return {
    depth: query(deep),
    aliases: query(aliases),
    'fragment cycle': query(cycle),
    directives: query(directives),
    'huge list': query('query($ids: [ID!]!) { me { id } }', { ids: Array.from({ length: 100_000 }, (_, i) => String(i)) }),
    'oversized body': query(`{ me { id } } # ${'x'.repeat(2_000_000)}`),
    'nested JSON': nested,
    batch: JSON.stringify(Array.from({ length: 100 }, () => ({ query: '{ me { id } }' }))),
    // As JSON text: in an object literal `__proto__` would set the prototype, not a key.
    'NUL and __proto__': '{"query":"{ me { id } }","variables":{"note":"a\\u0000b","__proto__":{"admin":true}}}',
  };
}

async function main() {
  await prepareDemoDatabase(DATABASE_URL);
  const server = await startServer({ databaseUrl: DATABASE_URL, port: 4320, env: { RESPONSE_CACHE_MB: '0' } });
  try {
    const tokens = await Promise.all(Array.from({ length: 10 }, (_, i) => server.login(`student${i + 1}@example.edu`, DEMO_PASSWORD)));
    const read = query('{ me { id username } assessments(first: 20) { totalCount edges { node { id skillType score createdAt } } } }');
    const shapes = hostileBodies();
    // What each hostile body gets: a refusal naming its limit, never data and never a 5xx.
    for (const [name, body] of Object.entries(shapes)) {
      const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[0]}` }, body });
      const answer = (await response.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
      console.log(`${name}: ${response.status} ${answer.errors?.[0]?.extensions?.code ?? 'no error'}${answer.data ? ' WITH DATA' : ''}: ${answer.errors?.[0]?.message.slice(0, 90) ?? ''}`);
    }
    let seed = 0;
    const legitimate = () => poisson('legitimate', { url: server.url, connections: 10, duration: DURATION, warmup: 2, rate: RATE, seed: ++seed }, rotate(tokens.map((token) => ({ body: read, token }))));
    const hostile = (bodies: string[]) =>
      poisson('hostile', { url: server.url, connections: 2, duration: DURATION, warmup: 2, rate: Math.ceil(RATE / 9), seed: ++seed }, rotate(bodies.map((body) => ({ body, token: tokens[0] }))));
    // Every shape together, or (BENCH_SHAPES=each) each shape alone beside its own quiet phase.
    const mixes: [string, string[]][] = EACH ? Object.entries(shapes).map(([name, body]) => [name, [body]]) : [['all shapes', Object.values(shapes)]];

    const rows: (LoadResult & { phase: string })[] = [];
    const ratios: Record<string, number[]> = {};
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [mix, bodies] of mixes) {
        const quiet = await legitimate();
        const [legit, abuse] = await Promise.all([legitimate(), hostile(bodies)]);
        rows.push({ phase: `quiet ${round}`, ...quiet }, { phase: `${mix} ${round}`, ...legit }, { phase: `${mix} ${round}`, ...abuse });
        (ratios[mix] ??= []).push(legit.p99 / quiet.p99);
        report({
          scenario: 'A legitimate client beside hostile traffic (10 %)',
          measure: `legitimate p99 ms, ${mix} (round ${round})`,
          assay: legit.p99,
          baseline: { name: 'the same client alone', value: quiet.p99 },
          aim: { ratio: 1.5, at: 'most' },
        });
      }
    }
    console.log(JSON.stringify({ machine: machine(), rate: RATE, hostileRate: Math.ceil(RATE / 9), duration: DURATION }, null, 2));
    console.table(rows.map(({ phase, name, requests, non2xx, serverErrors, errors, reqPerSec, p50, p95, p99 }) => ({ phase, name, requests, non2xx, '5xx': serverErrors, errors, reqPerSec, p50: round2(p50), p95: round2(p95), p99: round2(p99) })));
    for (const [mix, values] of Object.entries(ratios)) console.log(`${mix}: legitimate p99 abused / quiet ${values.map((v) => `${v.toFixed(2)}×`).join(', ')} (target at most 1.5×)`);
  } finally {
    server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
