import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

/*
 * A real `assay serve` in its own process (so the load generator never shares its event
 * loop), on a benchmark database, with a small GraphQL client for setting up a run.
 */

export interface BenchServer {
  url: string;
  gql: <T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string) => Promise<{ data: T; statements: number; cache: string | null }>;
  login: (email: string, password: string) => Promise<string>;
  /** The server process, for its CPU time. */
  pid: number;
  stop: () => void;
  /** Settles when the process has exited, so that the next run may take its port. */
  exited: Promise<void>;
}

export const exitOf = (child: ChildProcess): Promise<void> => (child.exitCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve())));

export interface ServerOptions {
  databaseUrl: string;
  port: number;
  /** Extra flags for the server's node, e.g. --max-semi-space-size=32. */
  nodeFlags?: string[];
  env?: Record<string, string>;
}

export async function startServer(options: ServerOptions): Promise<BenchServer> {
  const base = `http://127.0.0.1:${options.port}`;
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeFlags ?? []), '-r', '@swc-node/register', path.resolve(__dirname, '../../src/cli/main.ts'), 'serve'], {
    env: {
      ...process.env,
      DATABASE_URL: options.databaseUrl,
      JWT_SECRET: randomBytes(48).toString('base64'),
      PORT: String(options.port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'fatal',
      NODE_ENV: 'production',
      MIGRATE_ON_START: 'false',
      LOGIN_MAX_FAILURES_PER_IP: '100000',
      DIAGNOSTIC_HEADERS: 'true',
      ...options.env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `${base}/graphql`;
  const gql: BenchServer['gql'] = async (query, variables = {}, token) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: never; errors?: unknown[] };
    if (body.errors) throw new Error(`${query.slice(0, 60)}…: ${JSON.stringify(body.errors).slice(0, 300)}`);
    return { data: body.data!, statements: Number(response.headers.get('x-sql-statements')), cache: response.headers.get('x-assay-cache') };
  };
  const server: BenchServer = {
    url,
    gql,
    login: async (email, password) =>
      (await gql<{ login: { accessToken: string } }>('mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }', { e: email, p: password })).data.login.accessToken,
    pid: child.pid!,
    stop: () => child.kill('SIGTERM'),
    exited: exitOf(child),
  };
  for (let i = 0; i < 150; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return server;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  server.stop();
  throw new Error('server did not start');
}
