import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAssay } from '../src/app';
import { loadConfig } from '../src/config';
import { LoginDocument } from './generated/graphql';
import { codeOf, startTestApp, type TestApp } from './support/app';
import { DEMO_PASSWORD, TEST_JWT_SECRET } from './support/constants';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ LOGIN_MAX_FAILURES_PER_IP: '8' });
});
afterAll(() => app?.stop());

describe('failed logins from one address', () => {
  it('lock the address out after its limit, for every account, with the right password too', async () => {
    for (let i = 0; i < 8; i++) {
      const result = await app.gql(LoginDocument, { email: `student${40 + (i % 4)}@example.edu`, password: `wrong-${i}` });
      expect(codeOf(result)).toBe('UNAUTHENTICATED');
    }
    const blocked = await app.gql(LoginDocument, { email: 'student49@example.edu', password: DEMO_PASSWORD });
    expect(codeOf(blocked)).toBe('RATE_LIMITED');
    expect(blocked.errors![0].extensions!.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('a second instance on the same database agrees (counters live in PostgreSQL)', async () => {
    const second = await startAssay(
      loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: '0', DATABASE_URL: app.db.url, JWT_SECRET: TEST_JWT_SECRET, LOGIN_MAX_FAILURES_PER_IP: '8' }),
    );
    try {
      const response = await fetch(`http://127.0.0.1:${second.server.port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'mutation { login(email: "student48@example.edu", password: "assay-demo") { accessToken } }' }),
      });
      const body = (await response.json()) as { errors?: { extensions: { code: string } }[] };
      expect(body.errors?.[0].extensions.code).toBe('RATE_LIMITED');
    } finally {
      await second.stop();
    }
  });
});
