import 'reflect-metadata';
import { DEMO_PASSWORD, prepareDemoDatabase } from './lib/demo-database';
import { drive, rotate } from './lib/load';
import { startServer } from './lib/server';
const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/assay_bench_auth';
async function main() {
  await prepareDemoDatabase(DATABASE_URL);
  const assay = await startServer({ databaseUrl: DATABASE_URL, port: 4320, env: { RESPONSE_CACHE_MB: '0' }, nodeFlags: process.env.PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : [] });
  try {
    const tokens = await Promise.all(Array.from({ length: 10 }, (_, i) => assay.login(`student${i + 1}@example.edu`, DEMO_PASSWORD)));
    const me = JSON.stringify({ query: '{ me { id } }' });
    await assay.gql('{ me { id } }', {}, tokens[0]);
    const r = await drive('me', { connections: 10, duration: Number(process.env.D ?? 8), url: assay.url, serverPid: assay.pid }, rotate(tokens.map((token) => ({ body: me, token }))));
    console.log(r);
  } finally {
    assay.stop();
  }
}
void main();
