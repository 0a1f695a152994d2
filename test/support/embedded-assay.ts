import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gqlClient, loginWith } from './app';
import { serveCli, type Served } from './cli';
import { withAdminClient } from './postgres';
import { until } from './subscriptions';

/** `assay serve` in the embedded default, as a user starts it: its own data folder and PostgreSQL. */
export interface EmbeddedAssay {
  url: string;
  /** http://127.0.0.1:<port>, for /readyz and /healthz. */
  origin: string;
  dataDir: string;
  /** A superuser URL to the server's database, for setting up and checking rows. */
  databaseUrl: string;
  served: Served;
  gql: ReturnType<typeof gqlClient>;
  login: ReturnType<typeof loginWith>;
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** SIGKILLs the postmaster, as the OOM killer or an operator's mistake would. */
  killPostgres(): Promise<void>;
  /** Resolves once /readyz answers 200; returns every status it saw on the way. */
  readyAgain(ms: number): Promise<number[]>;
  stop(): Promise<number | null>;
}

// Ports below Linux's ephemeral range (32768-60999), so no outgoing connection takes them meanwhile.
const port = (from: number) => String(from + Math.floor(Math.random() * 4000));

export async function startEmbeddedAssay(env: Record<string, string> = {}): Promise<EmbeddedAssay> {
  // The postgres OS user must reach the folder (mkdtemp makes it 0700: the server opens it up).
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'assay-faults-'));
  const pgPort = port(25_000);
  const httpPort = port(21_000);
  const served = await serveCli({ ASSAY_DATA_DIR: dataDir, EMBEDDED_PG_PORT: pgPort, PORT: httpPort, HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env }, 150_000);
  const password = (await readFile(path.join(dataDir, 'pg-password'), 'utf8')).trim();
  const databaseUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${pgPort}/assay`;
  const origin = `http://127.0.0.1:${httpPort}`;
  const gql = gqlClient(`${origin}/graphql`);
  const status = () => fetch(`${origin}/readyz`).then((r) => r.status, () => 0);
  return {
    url: `${origin}/graphql`,
    origin,
    dataDir,
    databaseUrl,
    served,
    gql,
    login: loginWith(gql),
    sql: <T>(text: string, params: unknown[] = []) => withAdminClient(databaseUrl, async (client) => (await client.query(text, params)).rows as T[]),
    killPostgres: async () => {
      const pid = Number((await readFile(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0]);
      process.kill(pid, 'SIGKILL');
    },
    readyAgain: async (ms) => {
      const seen: number[] = [];
      await until(
        async () => {
          seen.push(await status());
          return seen.at(-1) === 200;
        },
        ms,
        () => `/readyz to answer 200 (it answered ${seen.join(', ')})\n${served.output()}`,
      );
      return seen;
    },
    stop: async () => {
      try {
        return await served.stop();
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}
