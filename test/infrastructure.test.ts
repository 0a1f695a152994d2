import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { limiterKey } from '../src/auth/login-limiter';
import { LoginDocument, RegisterDocument } from './generated/graphql';
import { codeOf, startTestApp, type TestApp } from './support/app';
import { REDIS_URL, redisReachable } from './support/redis';

const apps: TestApp[] = [];
afterAll(() => Promise.all(apps.map((a) => a.stop())));

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
    const app = await startTestApp({ REDIS_URL, TRUST_PROXY: 'true' });
    apps.push(app);
    // Redis outlives the run: a fresh address per run keeps earlier runs' registrations from counting.
    const headers = { 'x-forwarded-for': `10.${randomBytes(3).join('.')}` };
    const email = `redis-${randomBytes(4).toString('hex')}@example.edu`;
    const registered = await app.gql(RegisterDocument, { input: { email, username: email.split('@')[0], password: 'a-long-password' } }, { headers });
    expect(registered.errors).toBeUndefined();
    for (let i = 0; i < 5; i++) await app.gql(LoginDocument, { email, password: `wrong-${i}` }, { headers });
    expect(codeOf(await app.gql(LoginDocument, { email, password: 'a-long-password' }, { headers }))).toBe('RATE_LIMITED');

    const redis = new Redis(REDIS_URL);
    try {
      // Five wrong passwords and the refused sixth attempt, all counted there.
      expect(Number(await redis.get(`login_fail_account:${limiterKey('account', email)}`))).toBe(6);
    } finally {
      redis.disconnect();
    }
    const inPostgres = await app.db.sql(`select count(*)::int as n from login_failures`);
    expect(inPostgres).toEqual([{ n: 0 }]);
  });
});

describe('readiness with Redis configured', () => {
  it('/readyz stays 200 but says degraded, naming Redis, while it does not answer', async () => {
    const app = await startTestApp({ REDIS_URL: 'redis://127.0.0.1:1' });
    apps.push(app);
    const response = await fetch(app.url.replace('/graphql', '/readyz'));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'degraded', redis: 'unreachable' });
  });
});
