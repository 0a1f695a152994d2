import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveCli } from './support/cli';

/**
 * The README's `npm start` with no DATABASE_URL: an embedded PostgreSQL in a data folder,
 * migrated and seeded on the first start, reused on the second.
 */
const pgPort = String(55_000 + Math.floor(Math.random() * 4000));
const httpPort = String(45_000 + Math.floor(Math.random() * 4000));
const url = `http://127.0.0.1:${httpPort}`;
let dataDir: string;
let env: Record<string, string>;

beforeAll(async () => {
  // mkdtemp makes the folder 0700: the server must open it up for the postgres OS user itself.
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'assay-default-run-'));
  env = { ASSAY_DATA_DIR: dataDir, EMBEDDED_PG_PORT: pgPort, PORT: httpPort, HOST: '127.0.0.1' };
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

async function gql(query: string, token?: string) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as { data: Record<string, any>; errors?: unknown[] };
}

async function countUsers(): Promise<number> {
  const login = await gql('mutation { login(email: "admin@example.edu", password: "assay-demo") { accessToken } }');
  const users = await gql('{ users(first: 1) { totalCount } }', login.data.login.accessToken);
  return users.data.users.totalCount;
}

describe('the default run (embedded PostgreSQL)', () => {
  it('first start: creates the data folder, migrates, loads demo data, prints the URL and accounts', async () => {
    const served = await serveCli(env, 120_000);
    try {
      const out = served.output();
      expect(out).toContain(`Assay ready at http://127.0.0.1:${httpPort}/graphql`);
      expect(out).toContain('demo data loaded');
      expect(out).toContain('admin@example.edu');
      expect(out).toContain('student1@example.edu');
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ status: 'ready' });
      expect(await countUsers()).toBe(57);
      const secret = await readFile(path.join(dataDir, 'jwt-secret'), 'utf8');
      expect(secret.trim().length).toBeGreaterThanOrEqual(43);
      expect((await stat(path.join(dataDir, 'jwt-secret'))).mode & 0o077).toBe(0);
    } finally {
      expect(await served.stop()).toBe(0);
    }
  });

  it('second start: reuses the data, adds no duplicate rows, keeps the secret', async () => {
    const secretBefore = await readFile(path.join(dataDir, 'jwt-secret'), 'utf8');
    const served = await serveCli(env, 120_000);
    try {
      expect(served.output()).toContain('existing data reused');
      expect(await countUsers()).toBe(57);
      expect(await readFile(path.join(dataDir, 'jwt-secret'), 'utf8')).toBe(secretBefore);
    } finally {
      expect(await served.stop()).toBe(0);
    }
  });
});
