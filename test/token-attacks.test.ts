import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorCode } from '../src/errors';
import {
  CreateApiKeyDocument,
  FlagFeedDocument,
  LockUserDocument,
  LoginDocument,
  LogoutDocument,
  RefreshDocument,
  RevokeApiKeyDocument,
  StudentsDocument,
  type LoginMutation,
} from './generated/graphql';
import { sql } from './support/assessments';
import { codeCounts, startTestApp, type GqlResult, type TestApp } from './support/app';
import { DEMO_PASSWORD } from './support/constants';
import { attackerRsa, claimsFor, mislabelled, signed, subjectOf, tampered, unsigned } from './support/forged-tokens';
import { subscribe } from './support/subscriptions';

/*
 * Attacks on credentials, one row each: how the credential is forged or spoiled, and the
 * refusal the server must give. Bearer credentials (access tokens, API keys) are presented
 * over HTTP and in a WebSocket's connection_init; refresh tokens and passwords to their
 * mutations. A real server on its own database; the login window is the shortest allowed,
 * so the limiter's row can wait it out.
 */
const WINDOW_SECONDS = 10;
let app: TestApp;
let admin: string;

beforeAll(async () => {
  app = await startTestApp({ LOGIN_FAILURE_WINDOW_SECONDS: String(WINDOW_SECONDS) });
  admin = await app.login('admin@example.edu');
});
afterAll(() => app?.stop());

type Session = LoginMutation['login'];

const session = async (email: string): Promise<Session> => {
  const result = await app.gql(LoginDocument, { email, password: DEMO_PASSWORD });
  if (!result.data) throw new Error(`login ${email}: ${JSON.stringify(result.errors)}`);
  return result.data.login;
};

/** An API key of the account that may read and subscribe, so only the attack can refuse it. */
const apiKey = async (email: string, expiresAt?: string) => {
  const { accessToken } = await session(email);
  const created = await app.gql(CreateApiKeyDocument, { input: { name: 'attacked', scopes: ['read', 'subscribe'], expiresAt } }, { token: accessToken });
  if (!created.data) throw new Error(JSON.stringify(created.errors));
  return { key: created.data.createApiKey.key, id: created.data.createApiKey.apiKey.id, owner: accessToken };
};

const lock = async (userId: string) => expect((await app.gql(LockUserDocument, { userId }, { token: admin })).errors).toBeUndefined();
const now = () => Math.floor(Date.now() / 1000);

/** Every error carries the code, the first the message, and nothing else came back: no data, no token, no key. */
function expectRefused(answer: GqlResult<unknown>, code: ErrorCode, message: RegExp) {
  expect(answer.errors?.map((e) => e.extensions?.code)).toEqual([code]);
  expect(answer.errors![0].message).toMatch(message);
  expect(answer.data).toBeNull();
  expect(JSON.stringify(answer)).not.toMatch(/eyJ|assay_/);
}

interface BearerAttack {
  name: string;
  forge: () => Promise<string>;
  message: RegExp;
}

const INVALID = /^Invalid token$/;
const REVOKED = /^Token revoked$/;
const INACTIVE = /^Account is locked or inactive$/;
const BAD_KEY = /^Invalid API key$/;

const bearerAttacks: BearerAttack[] = [
  { name: 'alg none', forge: async () => unsigned(claimsFor(subjectOf((await session('student1@example.edu')).accessToken))), message: INVALID },
  { name: 'RS256 with the attacker’s own RSA key', forge: async () => attackerRsa().sign(claimsFor(subjectOf((await session('student1@example.edu')).accessToken))), message: INVALID },
  {
    name: 'HS256 keyed with an RSA public key (HS/RS confusion)',
    forge: async () => signed(claimsFor(subjectOf((await session('student1@example.edu')).accessToken)), { secret: attackerRsa().publicPem }),
    message: INVALID,
  },
  { name: 'a header saying RS256 over an HMAC of the real secret', forge: async () => mislabelled(claimsFor(subjectOf((await session('student1@example.edu')).accessToken))), message: INVALID },
  { name: 'HS512 with the real secret', forge: async () => signed(claimsFor(subjectOf((await session('student1@example.edu')).accessToken)), { alg: 'HS512' }), message: INVALID },
  {
    name: 'HS256 with another secret',
    forge: async () => signed(claimsFor(subjectOf((await session('student1@example.edu')).accessToken)), { secret: 'another-secret-of-at-least-32-bytes!!' }),
    message: INVALID,
  },
  {
    name: 'expired (past the 5 s tolerance)',
    forge: async () => signed(claimsFor(subjectOf((await session('student2@example.edu')).accessToken), { exp: now() - 60 })),
    message: /^Token expired$/,
  },
  { name: 'issued in the future (iat in an hour)', forge: async () => signed(claimsFor(subjectOf((await session('student2@example.edu')).accessToken), { iat: now() + 3600, exp: now() + 4500 })), message: INVALID },
  { name: 'not valid yet (nbf in an hour)', forge: async () => signed(claimsFor(subjectOf((await session('student2@example.edu')).accessToken), { nbf: now() + 3600 })), message: INVALID },
  { name: 'another issuer', forge: async () => signed(claimsFor(subjectOf((await session('student2@example.edu')).accessToken), { iss: 'someone-else' })), message: INVALID },
  { name: 'another audience', forge: async () => signed(claimsFor(subjectOf((await session('student2@example.edu')).accessToken), { aud: 'someone-else' })), message: INVALID },
  { name: 'no jti', forge: async () => signed(claimsFor(subjectOf((await session('student2@example.edu')).accessToken), { jti: undefined })), message: INVALID },
  { name: 'no exp', forge: async () => signed(claimsFor(subjectOf((await session('student2@example.edu')).accessToken), { exp: undefined })), message: INVALID },
  { name: 'no session id', forge: async () => signed(claimsFor(subjectOf((await session('student2@example.edu')).accessToken), { sid: undefined })), message: INVALID },
  { name: 'a subject that is not a uuid', forge: async () => signed(claimsFor(subjectOf((await session('student2@example.edu')).accessToken), { sub: "1' or '1'='1" })), message: INVALID },
  {
    name: 'a payload rewritten to another user, signature kept',
    forge: async () => tampered((await session('student3@example.edu')).accessToken, { sub: (await session('teacher1@example.edu')).user.id }),
    message: INVALID,
  },
  { name: 'a refresh token', forge: async () => (await session('student3@example.edu')).refreshToken, message: INVALID },
  { name: 'typ JWT in place of at+jwt', forge: async () => signed(claimsFor(subjectOf((await session('student3@example.edu')).accessToken)), { typ: 'JWT' }), message: INVALID },
  { name: 'the real secret, a session that does not exist', forge: async () => signed(claimsFor({ ...subjectOf((await session('student3@example.edu')).accessToken), sid: randomUUID() })), message: REVOKED },
  {
    name: 'after logout (its jti revoked)',
    forge: async () => {
      const pair = await session('student4@example.edu');
      expect((await app.gql(LogoutDocument, { refreshToken: pair.refreshToken }, { token: pair.accessToken })).data?.logout).toBe(true);
      return pair.accessToken;
    },
    message: REVOKED,
  },
  {
    name: 'of a session revoked for refresh-token reuse',
    forge: async () => {
      const first = await session('student5@example.edu');
      const rotated = (await app.gql(RefreshDocument, { refreshToken: first.refreshToken })).data!.refreshToken;
      await app.gql(RefreshDocument, { refreshToken: first.refreshToken });
      return rotated.accessToken;
    },
    message: REVOKED,
  },
  {
    name: 'of an account locked with lockUser',
    forge: async () => {
      const pair = await session('student6@example.edu');
      await lock(pair.user.id);
      return pair.accessToken;
    },
    message: REVOKED,
  },
  {
    name: 'of an account deactivated in the database',
    forge: async () => {
      const pair = await session('student7@example.edu');
      await sql(app, 'update users set is_active = false where id = $1', [pair.user.id]);
      return pair.accessToken;
    },
    message: INACTIVE,
  },
  { name: 'an API key’s prefix with another secret', forge: async () => `${(await apiKey('teacher1@example.edu')).key.slice(0, 12)}${'A'.repeat(37)}`, message: BAD_KEY },
  {
    name: 'a revoked API key',
    forge: async () => {
      const { key, id, owner } = await apiKey('teacher1@example.edu');
      expect((await app.gql(RevokeApiKeyDocument, { id }, { token: owner })).data?.revokeApiKey.revokedAt).toBeTruthy();
      return key;
    },
    message: BAD_KEY,
  },
  {
    name: 'an expired API key',
    forge: async () => {
      const { key, id } = await apiKey('teacher1@example.edu', new Date(Date.now() + 60_000).toISOString());
      await sql(app, `update api_keys set expires_at = now() - interval '1 second' where id = $1`, [id]);
      return key;
    },
    message: /^API key expired$/,
  },
  {
    name: 'an API key of an account locked with lockUser (which revokes it)',
    forge: async () => {
      const { key } = await apiKey('teacher2@example.edu');
      await lock((await session('teacher2@example.edu')).user.id);
      return key;
    },
    message: BAD_KEY,
  },
  {
    name: 'an API key of an account locked in the database',
    forge: async () => {
      const { key } = await apiKey('teacher3@example.edu');
      await sql(app, `update users set locked_at = now() where email = 'teacher3@example.edu'`);
      return key;
    },
    message: INACTIVE,
  },
  { name: 'the API key prefix alone', forge: async () => 'assay_', message: BAD_KEY },
  { name: 'an API key with a dot (read as a token)', forge: async () => 'assay_abc.def', message: INVALID },
  { name: 'three dots', forge: async () => '...', message: INVALID },
];

describe('bearer credentials, over HTTP and in connection_init', () => {
  it('accepts the credentials the attacks start from', async () => {
    const subject = subjectOf((await session('student8@example.edu')).accessToken);
    const token = await signed(claimsFor(subject));
    const { key } = await apiKey('teacher4@example.edu');
    for (const credential of [token, key]) {
      expect((await app.gql(StudentsDocument, {}, { token: credential })).data?.students.totalCount).toBeGreaterThan(0);
      const live = subscribe(app.url, FlagFeedDocument, {}, { authorization: `Bearer ${credential}` });
      await live.connected;
      await live.stop();
    }
  });

  it.each(bearerAttacks)('refuses $name', async ({ forge, message }) => {
    const credential = await forge();
    expectRefused(await app.gql(StudentsDocument, {}, { token: credential }), 'UNAUTHENTICATED', message);
    const live = subscribe(app.url, FlagFeedDocument, {}, { authorization: `Bearer ${credential}` });
    const closed = await live.closed;
    expect(closed.code).toBe(4401);
    expect(closed.reason).toMatch(message);
    expect(live.events).toEqual([]);
  });
});

interface ExchangeAttack {
  name: string;
  /** Makes the attempt and returns the answer the attacker gets. */
  attempt: () => Promise<GqlResult<unknown>>;
  code: ErrorCode;
  message: RegExp;
  /** What must hold once the attempt was refused. */
  afterwards?: (answer: GqlResult<unknown>) => Promise<void>;
}

const refresh = (refreshToken: string) => app.gql(RefreshDocument, { refreshToken });
const login = (email: string, password = DEMO_PASSWORD) => app.gql(LoginDocument, { email, password });

/** Reuse ends the whole family (the README's promise), the newest token included. */
function reuseOfARotatedRefreshToken(): ExchangeAttack {
  let newest = '';
  return {
    name: 'a rotated refresh token presented again',
    attempt: async () => {
      const first = await session('student10@example.edu');
      const second = (await refresh(first.refreshToken)).data!.refreshToken;
      newest = (await refresh(second.refreshToken)).data!.refreshToken.refreshToken;
      return refresh(first.refreshToken);
    },
    code: 'UNAUTHENTICATED',
    message: /^Refresh token reuse detected; the session is revoked$/,
    afterwards: async () => expectRefused(await refresh(newest), 'UNAUTHENTICATED', /^Session revoked$/),
  };
}

const exchangeAttacks: ExchangeAttack[] = [
  reuseOfARotatedRefreshToken(),
  {
    name: 'a refresh token after logout',
    attempt: async () => {
      const pair = await session('student11@example.edu');
      await app.gql(LogoutDocument, { refreshToken: pair.refreshToken }, { token: pair.accessToken });
      return refresh(pair.refreshToken);
    },
    code: 'UNAUTHENTICATED',
    message: /^Session revoked$/,
  },
  { name: 'an access token as a refresh token', attempt: async () => refresh((await session('student12@example.edu')).accessToken), code: 'UNAUTHENTICATED', message: /^Refresh token: invalid token$/ },
  {
    name: 'a refresh token with alg none',
    attempt: async () => refresh(unsigned(claimsFor(subjectOf((await session('student12@example.edu')).refreshToken)))),
    code: 'UNAUTHENTICATED',
    message: /^Refresh token: invalid token$/,
  },
  {
    name: 'an expired refresh token',
    attempt: async () => refresh(await signed(claimsFor(subjectOf((await session('student12@example.edu')).refreshToken), { exp: now() - 60 }), { typ: 'refresh+jwt' })),
    code: 'UNAUTHENTICATED',
    message: /^Refresh token: token expired$/,
  },
  {
    name: 'a refresh token of an account locked in the database',
    attempt: async () => {
      const pair = await session('student13@example.edu');
      await sql(app, 'update users set locked_at = now() where id = $1', [pair.user.id]);
      return refresh(pair.refreshToken);
    },
    code: 'UNAUTHENTICATED',
    message: INACTIVE,
  },
  {
    name: 'the right password of an account locked with lockUser',
    attempt: async () => {
      await lock((await session('student14@example.edu')).user.id);
      return login('student14@example.edu');
    },
    code: 'UNAUTHENTICATED',
    message: INACTIVE,
  },
  {
    name: 'the right password of a deactivated account',
    attempt: async () => {
      await sql(app, `update users set is_active = false where email = 'student15@example.edu'`);
      return login('student15@example.edu');
    },
    code: 'UNAUTHENTICATED',
    message: INACTIVE,
  },
  {
    name: 'the right password after 60 wrong ones sent at once',
    attempt: async () => {
      const flood = await Promise.all(Array.from({ length: 60 }, (_, i) => login('student16@example.edu', `wrong-${i}`)));
      // Only as many as the account's limit reached a password check, each audited as a failure.
      expect(codeCounts(flood)).toEqual({ UNAUTHENTICATED: 5, RATE_LIMITED: 55 });
      const failures = await sql(app, `select 1 from audit_logs where action = 'LOGIN_FAILED' and details->>'email' = 'student16@example.edu'`);
      expect(failures).toHaveLength(5);
      return login('student16@example.edu');
    },
    code: 'RATE_LIMITED',
    message: /^Too many attempts; retry in \d+ s$/,
    afterwards: async (refused) => {
      const retry = refused.errors![0].extensions!.retryAfterSeconds as number;
      expect(retry).toBeGreaterThan(0);
      expect(retry).toBeLessThanOrEqual(WINDOW_SECONDS);
      // The account is limited, not the address: another account still signs in.
      expect((await login('student17@example.edu')).errors).toBeUndefined();
      await sleep(retry * 1000);
      expect((await login('student16@example.edu')).data?.login.user.email).toBe('student16@example.edu');
    },
  },
];

describe('refresh tokens and passwords', () => {
  it.each(exchangeAttacks)('refuses $name', async ({ attempt, code, message, afterwards }) => {
    const answer = await attempt();
    expectRefused(answer, code, message);
    await afterwards?.(answer);
  });
});
