import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded';

export interface TestServer {
  /** Connection URL of a maintenance database on the server, for CREATE/DROP DATABASE. */
  adminUrl: string;
  source: string;
  stop(): Promise<void>;
}

/** Where a local server is looked for; point it at a closed port to force the embedded fallback. */
const LOCAL = process.env.ASSAY_TEST_PROBE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function reachable(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** TEST_DATABASE_URL if set, else PostgreSQL on 127.0.0.1:5432 if reachable, else an embedded one. */
export async function resolveTestServer(): Promise<TestServer> {
  const given = process.env.TEST_DATABASE_URL;
  if (given) return { adminUrl: given, source: 'TEST_DATABASE_URL', stop: async () => undefined };
  if (await reachable(LOCAL)) return { adminUrl: LOCAL, source: '127.0.0.1:5432', stop: async () => undefined };
  const dir = await mkdtemp(path.join(os.tmpdir(), 'assay-test-pg-'));
  const port = Number(process.env.ASSAY_TEST_PG_PORT ?? 54331);
  const embedded = await startEmbeddedPostgres(dir, port);
  return {
    adminUrl: embedded.adminUrl,
    source: `embedded PostgreSQL on port ${port}`,
    stop: async () => {
      await embedded.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function withAdminClient<T>(adminUrl: string, run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}
