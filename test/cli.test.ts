import { afterAll, describe, expect, it } from 'vitest';
import { TEST_JWT_SECRET } from './support/constants';
import { createEmptyDatabase, type TestDatabase } from './support/database';
import { runCli, serveCli } from './support/cli';
import { REDIS_URL, redisReachable } from './support/redis';

const databases: TestDatabase[] = [];
afterAll(() => Promise.all(databases.map((d) => d.drop())));

describe('assay CLI', () => {
  it('--help lists the commands', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    for (const command of ['serve', 'migrate', 'seed']) expect(run.stdout).toContain(command);
  });

  it('an unknown command exits non-zero', async () => {
    const run = await runCli(['frobnicate']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/unknown command/);
  });

  it('bad configuration stops with one line naming the variable', async () => {
    const port = await runCli(['serve'], { PORT: 'not-a-port' });
    expect(port.code).toBe(1);
    expect(port.stderr.trim().split('\n')).toHaveLength(1);
    expect(port.stderr).toMatch(/^assay: Invalid configuration: PORT /);

    const secret = await runCli(['migrate'], { DATABASE_URL: 'postgres://localhost/x', JWT_SECRET: 'short' });
    expect(secret.code).toBe(1);
    expect(secret.stderr).toMatch(/JWT_SECRET must be at least 32 bytes/);
    expect(secret.stderr).not.toContain('short');

    const missing = await runCli(['serve'], { DATABASE_URL: 'postgres://localhost/x' });
    expect(missing.stderr).toMatch(/JWT_SECRET is required when DATABASE_URL is set/);

    const url = await runCli(['migrate'], { DATABASE_URL: 'mysql://localhost/x', JWT_SECRET: TEST_JWT_SECRET });
    expect(url.stderr).toMatch(/DATABASE_URL must be a postgres/);
  });

  it('migrate and seed need DATABASE_URL', async () => {
    const run = await runCli(['seed']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/seed needs DATABASE_URL/);
  });

  it('migrate brings an empty database up to date, seed loads the demo data once (DATABASE_URL alone: only serve signs tokens)', async () => {
    const db = await createEmptyDatabase();
    databases.push(db);
    const env = { DATABASE_URL: db.url };
    const migrated = await runCli(['migrate'], env);
    expect(migrated.stderr).toBe('');
    expect(migrated.stdout).toMatch(/Applied \d+ migration/);
    expect((await runCli(['migrate'], env)).stdout).toMatch(/up to date/);
    const seeded = await runCli(['seed'], env);
    expect(seeded.code).toBe(0);
    expect(seeded.stdout).toMatch(/Demo data loaded: 57 users/);
    const again = await runCli(['seed'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already has users/);
  });

  it('serve never writes demo data into a database given by DATABASE_URL', async () => {
    const db = await createEmptyDatabase();
    databases.push(db);
    const served = await serveCli({ DATABASE_URL: db.url, JWT_SECRET: TEST_JWT_SECRET, PORT: '0', HOST: '127.0.0.1' });
    await served.stop();
    expect(served.output()).toContain('Database: DATABASE_URL');
    expect(served.output()).not.toContain('Demo accounts');
    expect(await db.sql('select count(*)::int as n from users')).toEqual([{ n: 0 }]);
  });
});

describe('assay doctor', () => {
  const lines = (stdout: string) => Object.fromEntries(stdout.trim().split('\n').map((l) => [l.split(/\s+/)[1], l.split(/\s+/)[0]]));

  it('passes every check of a migrated database with its secret (and Redis when it answers)', async () => {
    const db = await createEmptyDatabase();
    databases.push(db);
    expect((await runCli(['migrate'], { DATABASE_URL: db.url })).code).toBe(0);
    const redis: Record<string, string> = (await redisReachable()) ? { REDIS_URL } : {};
    if (!redis.REDIS_URL) console.info(`[cli] Redis not reachable at ${REDIS_URL}: doctor's Redis check is seen skipped, not passing`);
    const run = await runCli(['doctor'], { DATABASE_URL: db.url, JWT_SECRET: TEST_JWT_SECRET, ...redis });
    expect(run.code).toBe(0);
    expect(lines(run.stdout)).toEqual({ configuration: 'ok', JWT_SECRET: 'ok', database: 'ok', migrations: 'ok', redis: redis.REDIS_URL ? 'ok' : 'skip' });
  });

  it('fails, one line each, on pending migrations and a missing secret', async () => {
    const db = await createEmptyDatabase();
    databases.push(db);
    const run = await runCli(['doctor'], { DATABASE_URL: db.url });
    expect(run.code).toBe(1);
    expect(lines(run.stdout)).toMatchObject({ JWT_SECRET: 'FAIL', database: 'ok', migrations: 'FAIL' });
    expect(run.stdout).toMatch(/migrations\s+\d+ pending .*run assay migrate/);
  });

  it('names a database and a Redis that do not answer, without printing their passwords', async () => {
    const run = await runCli(['doctor'], { DATABASE_URL: 'postgres://assay:db-sekret@127.0.0.1:1/assay', REDIS_URL: 'redis://:redis-sekret@127.0.0.1:1', JWT_SECRET: TEST_JWT_SECRET });
    expect(run.code).toBe(1);
    expect(lines(run.stdout)).toMatchObject({ database: 'FAIL', migrations: 'skip', redis: 'FAIL' });
    expect(run.stdout).toContain('127.0.0.1:1/assay does not answer');
    expect(run.stdout).not.toMatch(/sekret/);
  });

  it('reports a bad configuration as a failed check', async () => {
    const run = await runCli(['doctor'], { JWT_SECRET: 'short' });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAIL\s+configuration\s+Invalid configuration: JWT_SECRET must be at least 32 bytes/);
    expect(run.stdout).not.toContain('short');
  });
});
