import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { LoginDocument, RegisterDocument } from './generated/graphql';
import { codeOf, startTestApp, type TestApp } from './support/app';

const apps: TestApp[] = [];
afterAll(() => Promise.all(apps.map((a) => a.stop())));

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function redisReachable(): Promise<boolean> {
  const probe = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

describe('database pool', () => {
  it('cuts off a runaway statement at DB_STATEMENT_TIMEOUT_MS', async () => {
    const app = await startTestApp({ DB_STATEMENT_TIMEOUT_MS: '200' });
    apps.push(app);
    await expect(app.assay.database.orm.em.fork().execute('select pg_sleep(2)')).rejects.toThrow(/statement timeout/);
  });
});

describe('login failure counters in Redis (REDIS_URL)', async () => {
  const available = await redisReachable();
  if (!available) console.info(`[infrastructure] Redis not reachable at ${REDIS_URL}: the Redis counter test does not run here`);

  it.runIf(available)('lock an account out through Redis instead of PostgreSQL', async () => {
    const app = await startTestApp({ REDIS_URL });
    apps.push(app);
    const email = `redis-${randomBytes(4).toString('hex')}@example.edu`;
    const registered = await app.gql(RegisterDocument, { input: { email, username: email.split('@')[0], password: 'a-long-password' } });
    expect(registered.errors).toBeUndefined();
    for (let i = 0; i < 5; i++) await app.gql(LoginDocument, { email, password: `wrong-${i}` });
    expect(codeOf(await app.gql(LoginDocument, { email, password: 'a-long-password' }))).toBe('RATE_LIMITED');

    const redis = new Redis(REDIS_URL);
    try {
      expect(Number(await redis.get(`login_fail_account:${email}`))).toBe(5);
    } finally {
      redis.disconnect();
    }
    const inPostgres = await app.db.sql(`select count(*)::int as n from login_failures where key like '%${email}'`);
    expect(inPostgres).toEqual([{ n: 0 }]);
  });
});
