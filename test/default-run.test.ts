import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveCli } from './support/cli';

/**
 * The README's `npm start` with no DATABASE_URL: an embedded PostgreSQL in a data folder,
 * migrated and seeded on the first start, reused on the second.
 */
// Below Linux's ephemeral range (32768-60999): a port in it can be taken at any moment by
// an outgoing connection of a test running beside this one (seen: EADDRINUSE).
const pgPort = String(25_000 + Math.floor(Math.random() * 4000));
const httpPort = String(21_000 + Math.floor(Math.random() * 4000));
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
    const served = await serveCli(env, 90_000);
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
    // initdb, migrations and demo data: 15 s alone, 26 s beside four busy processes.
  }, 150_000);

  it('second start: reuses the data, adds no duplicate rows, keeps the secret', async () => {
    const secretBefore = await readFile(path.join(dataDir, 'jwt-secret'), 'utf8');
    const served = await serveCli(env, 90_000);
    try {
      expect(served.output()).toContain('existing data reused');
      expect(await countUsers()).toBe(57);
      expect(await readFile(path.join(dataDir, 'jwt-secret'), 'utf8')).toBe(secretBefore);
    } finally {
      expect(await served.stop()).toBe(0);
    }
  }, 150_000);

  it('WORKERS=2: both workers serve the one port and database, either sees the other’s write, SIGTERM stops all', async () => {
    // Logs at info, so a start-up or stop that hangs fails with the workers' story in the error.
    const served = await serveCli({ ...env, WORKERS: '2', LOG_LEVEL: 'info' }, 90_000);
    let workers: number[] = [];
    try {
      expect(served.output()).toContain('(2 worker processes)');
      workers = assayChildren(served.pid);
      expect(workers).toHaveLength(2);
      const login = await postOnNewConnection('mutation { login(email: "teacher1@example.edu", password: "assay-demo") { accessToken } }');
      const token = login.data.login.accessToken as string;
      const titles = async () =>
        (await postOnNewConnection('{ exams(first: 100) { edges { node { title } } } }', token)).data.exams.edges.map(
          (e: { node: { title: string } }) => e.node.title,
        );
      // New connections go round-robin, so both workers have answered (and cached) this before the write.
      const before = await titles();
      for (let i = 0; i < 3; i++) expect(await titles()).toEqual(before);
      const created = await postOnNewConnection(
        `mutation { createExam(input: { title: "Written through one worker", subject: "Maths", maxScore: 10, durationMinutes: 30,
           passingScore: 5, questions: [{ id: "q1", prompt: "1+1?", points: 10, answer: "2" }] }) { id } }`,
        token,
      );
      expect(created.errors).toBeUndefined();
      for (let i = 0; i < 4; i++) expect(await titles()).toContain('Written through one worker');

      process.kill(workers[0], 'SIGKILL');
      const replaced = Date.now() + 20_000;
      while (!(assayChildren(served.pid).length === 2 && !assayChildren(served.pid).includes(workers[0]))) {
        if (Date.now() > replaced) throw new Error('the killed worker was not replaced');
        await new Promise((r) => setTimeout(r, 100));
      }
      workers = assayChildren(served.pid);
      // The replacement may still be starting; the port keeps answering through the other worker.
      for (let i = 0; i < 4; i++) expect(await titles()).toContain('Written through one worker');
    } catch (error) {
      throw new Error(`${(error as Error).message}\nassay serve printed:\n${served.output()}`, { cause: error });
    } finally {
      expect(await served.stop()).toBe(0);
    }
    for (const pid of workers) expect(alive(pid)).toBe(false);
    // Starts three processes and an embedded PostgreSQL: under a full parallel run that alone took
    // past 30 s. The start-up wait (90 s) and each request (15 s) end before the test does, so a
    // hang fails naming its step, with the server's output.
  }, 150_000);
});

/** Child processes of `pid` running the assay CLI (the embedded PostgreSQL is a child too). */
function assayChildren(pid: number): number[] {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  return children.filter((child) => readFileSync(`/proc/${child}/cmdline`, 'utf8').includes('assay.js'));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A request on a connection of its own (no keep-alive pool), so successive calls reach different workers. */
function postOnNewConnection(query: string, token?: string): Promise<{ data: Record<string, any>; errors?: unknown[] }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${url}/graphql`,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve(JSON.parse(text)));
      },
    );
    request.on('error', reject);
    request.setTimeout(15_000, () => request.destroy(new Error(`no answer within 15 s to ${query.slice(0, 60)}`)));
    request.end(JSON.stringify({ query }));
  });
}
