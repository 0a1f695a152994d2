import { afterAll, beforeAll, describe, expect, it as base } from 'vitest';
import { loadConfig } from '../src/config';
import { JobTrigger } from '../src/entities/job-run.entity';
import { scheduledJobs } from '../src/jobs/registry';
import { runJob } from '../src/jobs/runner';
import { CreateUserDocument, LoginDocument, RegisterDocument } from './generated/graphql';
import { codeCounts, codeOf, startTestApp, type GqlResult, type TestApp } from './support/app';
import { DEMO_PASSWORD, TEST_JWT_SECRET } from './support/constants';

/**
 * Attacks on sign-in and registration, through HTTP. Every test comes from its own client
 * address (X-Forwarded-For, with TRUST_PROXY on), so the per-address limits of one test do
 * not touch another's.
 */
let app: TestApp;
let admin: string;
let nextAddress = 1;

beforeAll(async () => {
  app = await startTestApp({ TRUST_PROXY: 'true', LOGIN_MAX_FAILURES_PER_IP: '8', REGISTER_MAX_PER_IP: '3' });
  admin = await app.login('admin@example.edu');
});
afterAll(() => app?.stop());

interface Client {
  login(email: string, password: string): Promise<GqlResult<unknown>>;
  register(email: string): Promise<GqlResult<unknown>>;
}

const it = base.extend<{ client: Client }>({
  client: async ({ task }, use) => {
    // The user agent names the test in the audit entries it causes.
    const headers = { 'x-forwarded-for': `198.51.100.${nextAddress++}`, 'user-agent': `login-abuse test: ${task.name}` };
    await use({
      login: (email, password) => app.gql(LoginDocument, { email, password }, { headers }),
      register: (email) =>
        app.gql(RegisterDocument, { input: { email, username: email.split('@')[0].replace(/[^a-z0-9]/g, ''), password: 'long-enough-pw' } }, { headers }),
    });
  },
});

const auditRows = (action: string, subject: string) =>
  app.db.sql(`select details from audit_logs where action = '${action}' and (details->>'email' = '${subject}' or details->>'subject' = '${subject}') order by seq`);

const reportEndedLimits = async () => {
  await app.db.sql(`update rate_limit_episodes set ends_at = now() - interval '1 second', started_at = least(started_at, now() - interval '1 second')`);
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: app.db.url, JWT_SECRET: TEST_JWT_SECRET });
  const job = scheduledJobs(config).find((j) => j.name === 'rate-limit-report')!;
  return runJob(app.assay.database.orm, config, job, JobTrigger.CLI);
};

describe('the per-account limit under concurrency', () => {
  it('a right password among the first five gets in and gives its point back', async ({ client }) => {
    const email = 'student22@example.edu';
    expect(codeCounts(await Promise.all(Array.from({ length: 3 }, (_, i) => client.login(email, `wrong-${i}`))))).toEqual({ UNAUTHENTICATED: 3 });
    expect((await client.login(email, DEMO_PASSWORD)).errors).toBeUndefined();
    expect(codeCounts(await Promise.all(Array.from({ length: 4 }, (_, i) => client.login(email, `again-${i}`))))).toEqual({
      UNAUTHENTICATED: 2,
      RATE_LIMITED: 2,
    });
  });
});

describe('bursts of right passwords', () => {
  it('twelve sessions of one account opened at once all get in', async ({ client }) => {
    const burst = await Promise.all(Array.from({ length: 12 }, () => client.login('student27@example.edu', DEMO_PASSWORD)));
    expect(codeCounts(burst)).toEqual({ OK: 12 });
  });

  it('twenty accounts signing in at once from one address, past its limit of 8, all get in', async ({ client }) => {
    const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => client.login(`student${i + 30}@example.edu`, DEMO_PASSWORD)));
    expect(codeCounts(burst)).toEqual({ OK: 20 });
  });
});

describe('the per-address limit under concurrency', () => {
  it('checks at most 8 passwords from one address at once, across accounts', async ({ client }) => {
    const flood = await Promise.all(Array.from({ length: 30 }, (_, i) => client.login(`nobody${i}@example.edu`, 'wrong-password')));
    expect(codeCounts(flood)).toEqual({ UNAUTHENTICATED: 8, RATE_LIMITED: 22 });
  });
});

describe('a shared address (a school behind one NAT)', () => {
  it('lets an account that signed in from it before through once the address is limited; a new one is refused', async ({ client }) => {
    expect((await client.login('student23@example.edu', DEMO_PASSWORD)).errors).toBeUndefined();
    for (let i = 0; i < 8; i++) expect(codeOf(await client.login(`stranger${i}@example.edu`, 'wrong-password'))).toBe('UNAUTHENTICATED');
    expect(codeOf(await client.login('student24@example.edu', DEMO_PASSWORD))).toBe('RATE_LIMITED');
    expect((await client.login('student23@example.edu', DEMO_PASSWORD)).errors).toBeUndefined();
    // The known account still has its own limit: guessing it from the address stops at 5.
    const guesses = await Promise.all(Array.from({ length: 8 }, (_, i) => client.login('student23@example.edu', `guess-${i}`)));
    expect(codeCounts(guesses)).toEqual({ UNAUTHENTICATED: 5, RATE_LIMITED: 3 });
  });
});

describe('the audit log under a flood', () => {
  it('records checked passwords, one entry when the limit is reached, and the refused count when it ends', async ({ client }) => {
    const email = 'student26@example.edu';
    await Promise.all(Array.from({ length: 40 }, (_, i) => client.login(email, `wrong-${i}`)));
    expect(await auditRows('LOGIN_FAILED', email)).toHaveLength(5);
    const limited = await auditRows('RATE_LIMITED', email);
    expect(limited).toHaveLength(1);
    expect(limited[0].details).toMatchObject({ limit: 'LOGIN_ACCOUNT', subject: email });

    const run = await reportEndedLimits();
    expect(run!.rowsAffected).toBeGreaterThanOrEqual(1);
    const ended = await auditRows('RATE_LIMIT_ENDED', email);
    expect(ended).toHaveLength(1);
    expect(ended[0].details).toMatchObject({ limit: 'LOGIN_ACCOUNT', subject: email, refused: 35 });
    expect((await reportEndedLimits())!.rowsAffected).toBe(0);
  });
});

describe('a flood on a locked-out account from an address near its own limit', () => {
  it("does not use up the address: another account's attempt is still checked", async ({ client }) => {
    for (let i = 0; i < 5; i++) expect(codeOf(await client.login('student28@example.edu', `wrong-${i}`))).toBe('UNAUTHENTICATED');
    for (let i = 0; i < 2; i++) expect(codeOf(await client.login(`near${i}@example.edu`, 'wrong-password'))).toBe('UNAUTHENTICATED');
    const flood = Array.from({ length: 30 }, (_, i) => client.login('student28@example.edu', `again-${i}`));
    const other = client.login('student29@example.edu', 'wrong-password');
    expect(codeCounts(await Promise.all(flood))).toEqual({ RATE_LIMITED: 30 });
    expect(codeOf(await other)).toBe('UNAUTHENTICATED');
  });
});

describe('registration', () => {
  it('is limited per address before any account is made', async ({ client }) => {
    for (let i = 0; i < 3; i++) expect((await client.register(`self${i}@example.edu`)).errors).toBeUndefined();
    const refused = await client.register('self3@example.edu');
    expect(codeOf(refused)).toBe('RATE_LIMITED');
    expect(await app.db.sql(`select 1 from users where email = 'self3@example.edu'`)).toEqual([]);
  });
});

describe('long e-mail addresses', () => {
  // 247 characters: past what the limiter's key column held when the e-mail was the key.
  const longEmail = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(50)}.edu`;

  it('are counted by the per-account limit like any other', async ({ client }) => {
    expect(longEmail.length).toBe(247);
    const created = await app.gql(CreateUserDocument, { input: { email: longEmail, username: 'longmail', password: DEMO_PASSWORD, role: 'STUDENT' } }, { token: admin });
    expect(created.errors, JSON.stringify(created.errors)).toBeUndefined();
    for (let i = 0; i < 5; i++) expect(codeOf(await client.login(longEmail, `wrong-${i}`))).toBe('UNAUTHENTICATED');
    expect(codeOf(await client.login(longEmail, DEMO_PASSWORD))).toBe('RATE_LIMITED');
  });

  it('longer than any account may have are refused as bad input, by the same rule as registration', async ({ client }) => {
    const tooLong = `${'a'.repeat(64)}@${'b'.repeat(200)}.edu`;
    const login = await client.login(tooLong, 'whatever-password');
    expect(codeOf(login)).toBe('BAD_USER_INPUT');
    expect(login.errors![0].message).toMatch(/at most 254 characters/);
    const register = await client.register(tooLong);
    expect(codeOf(register)).toBe('BAD_USER_INPUT');
  });
});
