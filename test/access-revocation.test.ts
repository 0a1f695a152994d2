import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, test } from 'vitest';
import {
  CreateApiKeyDocument,
  LockUserDocument,
  LoginDocument,
  LogoutDocument,
  MeDocument,
  RevokeApiKeyDocument,
} from './generated/graphql';
import { codeOf, gqlClient, type Credentials, type TestApp, appPerFile } from './support/app';
import { sql, userId } from './support/assessments';
import { serveCli, type Served } from './support/cli';
import { DEMO_PASSWORD, TEST_JWT_SECRET } from './support/constants';

interface Instances {
  a: TestApp;
  /** A second server process on A's database. */
  b: { served: Served; gql: ReturnType<typeof gqlClient> };
}

const it = test.extend<Instances & { admin: string }>({
  a: appPerFile,
  b: [
    async ({ a }, use) => {
      // The executed path: with the response cache on, its lookup asks the database on every request anyway.
      const served = await serveCli({ RESPONSE_CACHE_MB: '0', DATABASE_URL: a.db.url, PORT: '0', HOST: '127.0.0.1', JOBS_ENABLED: 'false', NODE_ENV: 'test', JWT_SECRET: TEST_JWT_SECRET });
      const url = /Assay ready at (\S+)/.exec(served.output())![1].replace('localhost', '127.0.0.1');
      await use({ served, gql: gqlClient(url) });
      await served.stop();
    },
    { scope: 'file' },
  ],
  admin: [async ({ a }, use) => use(await a.login('admin@example.edu')), { scope: 'file' }],
});

const login = async (app: TestApp, email: string) => (await app.gql(LoginDocument, { email, password: DEMO_PASSWORD })).data!.login;

/** Asks until the credential is refused; the time it took, or Infinity after `limitMs`. */
async function refusalTime(b: Instances['b'], credentials: Credentials, limitMs = 1000): Promise<number> {
  const started = Date.now();
  while (Date.now() - started <= limitMs) {
    const answer = await b.gql(MeDocument, {}, credentials);
    // `me` answers null to a refused credential, as to no credential.
    if (codeOf(answer) === 'UNAUTHENTICATED' || answer.data?.me === null) return Date.now() - started;
    await sleep(20);
  }
  return Infinity;
}

/** A credential B has accepted and now remembers: its second request runs no statement. */
async function acceptedByB(b: Instances['b'], credentials: Credentials) {
  const first = await b.gql(MeDocument, {}, credentials);
  expect(first.errors).toBeUndefined();
  const again = await b.gql(MeDocument, {}, credentials);
  expect(again.data!.me!.id).toBe(first.data!.me!.id);
  expect(again.statements).toBe(0);
}

describe('access accepted in memory, ended everywhere within a second', () => {
  it('a remembered token costs no statement; logging out on A ends it on B', async ({ a, b }) => {
    const session = await login(a, 'student1@example.edu');
    await acceptedByB(b, { token: session.accessToken });
    expect((await a.gql(LogoutDocument, { refreshToken: session.refreshToken }, { token: session.accessToken })).errors).toBeUndefined();
    expect(await refusalTime(b, { token: session.accessToken })).toBeLessThan(1000);
  });

  it('lockUser on A ends every session of that user on B', async ({ a, b, admin }) => {
    const session = await login(a, 'student2@example.edu');
    await acceptedByB(b, { token: session.accessToken });
    expect((await a.gql(LockUserDocument, { userId: session.user.id }, { token: admin })).errors).toBeUndefined();
    expect(await refusalTime(b, { token: session.accessToken })).toBeLessThan(1000);
  });

  it('a revoked API key is refused on B', async ({ a, b }) => {
    const owner = await login(a, 'teacher1@example.edu');
    const created = await a.gql(CreateApiKeyDocument, { input: { name: 'revocation test', scopes: ['read'] } }, { token: owner.accessToken });
    const apiKey = created.data!.createApiKey.key;
    await acceptedByB(b, { apiKey });
    await a.gql(RevokeApiKeyDocument, { id: created.data!.createApiKey.apiKey.id }, { token: owner.accessToken });
    expect(await refusalTime(b, { apiKey })).toBeLessThan(1000);
  });

  it('a change made in plain SQL, outside any server, counts too', async ({ a, b }) => {
    const session = await login(a, 'student3@example.edu');
    await acceptedByB(b, { token: session.accessToken });
    await sql(a, 'update users set is_active = false where id = $1', [session.user.id]);
    expect(await refusalTime(b, { token: session.accessToken })).toBeLessThan(1000);
  });

  it('while the listening connection is down, B asks the database, so a change in that time is not missed', async ({ a, b }) => {
    const session = await login(a, 'student4@example.edu');
    await acceptedByB(b, { token: session.accessToken });
    const cut = await sql<{ n: string }>(
      a,
      `select count(pg_terminate_backend(pid)) as n from pg_stat_activity where application_name = 'assay-access-listener' and datname = current_database()`,
    );
    expect(Number(cut[0].n)).toBeGreaterThanOrEqual(2);
    await sql(a, 'update users set locked_at = now() where id = $1', [session.user.id]);
    expect(await refusalTime(b, { token: session.accessToken })).toBeLessThan(1000);

    // Listening again, B remembers credentials again.
    const other = await login(a, 'student5@example.edu');
    await expect.poll(async () => (await b.gql(MeDocument, {}, { token: other.accessToken })).statements, { timeout: 10_000 }).toBe(0);
  });

  it('a user changed in the database is read afresh, not served from memory', async ({ a, b }) => {
    const session = await login(a, 'student6@example.edu');
    await acceptedByB(b, { token: session.accessToken });
    await sql(a, `update users set username = 'renamed-student6' where id = $1`, [await userId(a, 'student6@example.edu')]);
    await expect.poll(async () => (await b.gql(MeDocument, {}, { token: session.accessToken })).data?.me?.username, { timeout: 1000, interval: 20 }).toBe('renamed-student6');
  });
});
