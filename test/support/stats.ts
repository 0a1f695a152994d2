import { test as base } from 'vitest';
import { startTestApp, type TestApp } from './app';
import { sql as sqlOn, userId } from './assessments';

/** The accounts the grouped-statistics tests ask as: teacher2 also holds one exam granted by teacher1. */
export const STATS_ACCOUNTS = {
  admin: 'admin@example.edu',
  teacher: 'teacher1@example.edu',
  grantee: 'teacher2@example.edu',
  student: 'student1@example.edu',
} as const;

export type StatsAccount = keyof typeof STATS_ACCOUNTS;

export type Sql = <T = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<T[]>;

/** Each account's token and user id. */
export type StatsLogins = Record<StatsAccount, { token: string; id: string }>;

/** A server on the demo data with no response cache, so every call is executed and its statements counted. */
export const statsTest = base.extend<{ app: TestApp; logins: StatsLogins; sql: Sql }>({
  app: [
    async ({}, use) => {
      const app = await startTestApp({ RESPONSE_CACHE_MB: '0' });
      await use(app);
      await app.stop();
    },
    { scope: 'file' },
  ],
  sql: [async ({ app }, use) => use((text, params) => sqlOn(app, text, params)), { scope: 'file' }],
  logins: [
    async ({ app }, use) => {
      const entries = await Promise.all(
        Object.entries(STATS_ACCOUNTS).map(async ([who, email]) => [who, { token: await app.login(email), id: await userId(app, email) }] as const),
      );
      await use(Object.fromEntries(entries) as StatsLogins);
    },
    { scope: 'file' },
  ],
});
