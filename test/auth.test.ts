import { SignJWT, UnsecuredJWT, decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { limiterKey } from '../src/auth/login-limiter';
import { AvailableExamsDocument, LoginDocument, LogoutDocument, MeDocument, RefreshDocument, RegisterDocument, StudentsDocument } from './generated/graphql';
import { codeOf, startTestApp, type TestApp } from './support/app';
import { DEMO_PASSWORD, TEST_JWT_SECRET } from './support/constants';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.stop());

const login = async (email: string, password = DEMO_PASSWORD) => app.gql(LoginDocument, { email, password });

async function signed(claims: Record<string, unknown>, options: { typ?: string; secret?: string; aud?: string; exp?: number } = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sid: claims.sid })
    .setProtectedHeader({ alg: 'HS256', typ: options.typ ?? 'at+jwt' })
    .setSubject(String(claims.sub))
    .setIssuer('assay')
    .setAudience(options.aud ?? 'assay-api')
    .setIssuedAt(now - 3600)
    .setExpirationTime(options.exp ?? now + 600)
    .setJti(crypto.randomUUID())
    .sign(new TextEncoder().encode(options.secret ?? TEST_JWT_SECRET));
}

describe('login', () => {
  it('returns tokens and the user, and the access token works', async () => {
    const result = await login('Teacher1@Example.edu');
    expect(result.errors).toBeUndefined();
    const payload = result.data!.login;
    expect(payload.user).toMatchObject({ email: 'teacher1@example.edu', username: 'teacher1', role: 'TEACHER' });
    expect(new Date(payload.accessTokenExpiresAt).getTime() - Date.now()).toBeGreaterThan(14 * 60_000);
    const me = await app.gql(MeDocument, {}, { token: payload.accessToken });
    expect(me.data?.me).toMatchObject({ email: 'teacher1@example.edu', isLocked: false });
    expect(me.data?.me?.lastLoginAt).toBeTruthy();
  });

  it('refuses a wrong password and an unknown email with the same error', async () => {
    const wrong = await login('teacher2@example.edu', 'not-the-password');
    const unknown = await login('nobody@example.edu', 'not-the-password');
    expect(codeOf(wrong)).toBe('UNAUTHENTICATED');
    expect(codeOf(unknown)).toBe('UNAUTHENTICATED');
    expect(wrong.errors![0].message).toBe(unknown.errors![0].message);
    expect(JSON.stringify(wrong)).not.toContain('not-the-password');
  });

  it('me is null without credentials', async () => {
    const me = await app.gql(MeDocument, {});
    expect(me.errors).toBeUndefined();
    expect(me.data?.me).toBeNull();
  });
});

describe('register', () => {
  it('creates a student and signs it in; a second registration with the same email conflicts', async () => {
    const input = { email: 'New.Student@example.edu', username: 'new.student', password: 'a-long-password' };
    const first = await app.gql(RegisterDocument, { input });
    expect(first.errors).toBeUndefined();
    expect(first.data!.register.user).toMatchObject({ email: 'new.student@example.edu', role: 'STUDENT', studentProfile: { cohort: 'unassigned' } });
    const again = await app.gql(RegisterDocument, { input: { ...input, username: 'other.name' } });
    expect(codeOf(again)).toBe('CONFLICT');
  });

  it('refuses a chosen cohort: a self-registered student is unassigned, sees no exams and is on no roster', async () => {
    const input = { email: 'cohort.seeker@example.edu', username: 'cohort.seeker', password: 'a-long-password' };
    const chosen = await app.gql(RegisterDocument, { input: { ...input, cohort: 'cohort-1' } as typeof input });
    expect(codeOf(chosen)).toBe('BAD_USER_INPUT');
    expect(chosen.errors![0].message).toMatch(/cohort/);
    expect(await app.db.sql(`select 1 from users where email = '${input.email}'`)).toHaveLength(0);

    const plain = await app.gql(RegisterDocument, { input });
    expect(plain.errors).toBeUndefined();
    expect(plain.data!.register.user.studentProfile).toEqual({ cohort: 'unassigned' });
    const token = plain.data!.register.accessToken;
    expect((await app.gql(AvailableExamsDocument, { first: 50 }, { token })).data!.availableExams.totalCount).toBe(0);
    const roster = await app.gql(StudentsDocument, { first: 100 }, { token: await app.login('teacher1@example.edu') });
    expect(roster.data!.students.edges.map((e) => e.node.email)).not.toContain(input.email);
  });

  it('rejects a short password and a bad email without echoing them', async () => {
    const result = await app.gql(RegisterDocument, { input: { email: 'not-an-email', username: 'ok_name', password: 'short' } });
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.errors![0].message).toMatch(/password must be at least 10 characters/);
    expect(result.errors![0].message).toMatch(/email must be a valid email/);
    expect(JSON.stringify(result.errors)).not.toContain('"short"');
  });
});

describe('refresh tokens', () => {
  it('rotate on every use, and reuse of an old one revokes the whole family', async () => {
    const first = (await login('student3@example.edu')).data!.login;
    const second = await app.gql(RefreshDocument, { refreshToken: first.refreshToken });
    expect(second.errors).toBeUndefined();
    const rotated = second.data!.refreshToken;
    expect(rotated.refreshToken).not.toBe(first.refreshToken);

    const third = await app.gql(RefreshDocument, { refreshToken: rotated.refreshToken });
    expect(third.errors).toBeUndefined();

    // The first token was already used: presenting it again is reuse.
    const reuse = await app.gql(RefreshDocument, { refreshToken: first.refreshToken });
    expect(codeOf(reuse)).toBe('UNAUTHENTICATED');
    expect(reuse.errors![0].message).toMatch(/reuse/);

    // The family is gone: the newest refresh token and the access tokens of the session too.
    const newest = await app.gql(RefreshDocument, { refreshToken: third.data!.refreshToken.refreshToken });
    expect(codeOf(newest)).toBe('UNAUTHENTICATED');
    const me = await app.gql(MeDocument, {}, { token: third.data!.refreshToken.accessToken });
    expect(codeOf(me)).toBeUndefined();
    expect(me.data?.me).toBeNull();
  });

  it('a refresh token is not accepted as an access token, nor the reverse', async () => {
    const pair = (await login('student4@example.edu')).data!.login;
    const asAccess = await app.gql('{ students { totalCount } }', {}, { token: pair.refreshToken });
    expect(codeOf(asAccess)).toBe('UNAUTHENTICATED');
    const asRefresh = await app.gql(RefreshDocument, { refreshToken: pair.accessToken });
    expect(codeOf(asRefresh)).toBe('UNAUTHENTICATED');
  });
});

describe('logout', () => {
  it('revokes the refresh family and denies the access token', async () => {
    const pair = (await login('student5@example.edu')).data!.login;
    const out = await app.gql(LogoutDocument, { refreshToken: pair.refreshToken }, { token: pair.accessToken });
    expect(out.data?.logout).toBe(true);
    const refreshed = await app.gql(RefreshDocument, { refreshToken: pair.refreshToken });
    expect(codeOf(refreshed)).toBe('UNAUTHENTICATED');
    const afterwards = await app.gql('{ students { totalCount } }', {}, { token: pair.accessToken });
    expect(codeOf(afterwards)).toBe('UNAUTHENTICATED');
    expect(afterwards.errors![0].message).toMatch(/revoked/i);
  });
});

describe('access tokens that must be refused', () => {
  const query = '{ students { totalCount } }';
  let subject: { sub: string; sid: string };

  beforeAll(async () => {
    const token = (await login('student7@example.edu')).data!.login.accessToken;
    const claims = decodeJwt(token);
    subject = { sub: String(claims.sub), sid: String(claims.sid) };
  });

  it('accepts a well-formed token for the live session (control)', async () => {
    const ok = await app.gql(query, {}, { token: await signed(subject) });
    expect(ok.errors).toBeUndefined();
    expect(ok.data).toEqual({ students: { totalCount: 1 } });
  });

  it('refuses an expired token', async () => {
    const result = await app.gql(query, {}, { token: await signed(subject, { exp: Math.floor(Date.now() / 1000) - 60 }) });
    expect(codeOf(result)).toBe('UNAUTHENTICATED');
    expect(result.errors![0].message).toMatch(/expired/i);
  });

  it('refuses a token signed with another secret', async () => {
    const result = await app.gql(query, {}, { token: await signed(subject, { secret: 'another-secret-of-at-least-32-bytes!!' }) });
    expect(codeOf(result)).toBe('UNAUTHENTICATED');
  });

  it('refuses a tampered payload', async () => {
    const token = await signed(subject);
    const [header, , signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...decodeJwt(token), sub: crypto.randomUUID() })).toString('base64url');
    const result = await app.gql(query, {}, { token: `${header}.${forged}.${signature}` });
    expect(codeOf(result)).toBe('UNAUTHENTICATED');
  });

  it('refuses a token for another audience', async () => {
    const result = await app.gql(query, {}, { token: await signed(subject, { aud: 'someone-else' }) });
    expect(codeOf(result)).toBe('UNAUTHENTICATED');
  });

  it('refuses alg: none', async () => {
    const token = new UnsecuredJWT({ sid: subject.sid })
      .setSubject(subject.sub)
      .setIssuer('assay')
      .setAudience('assay-api')
      .setIssuedAt()
      .setExpirationTime('10m')
      .setJti(crypto.randomUUID())
      .encode();
    const result = await app.gql(query, {}, { token });
    expect(codeOf(result)).toBe('UNAUTHENTICATED');
  });

  it('refuses a token without the access typ', async () => {
    const result = await app.gql(query, {}, { token: await signed(subject, { typ: 'JWT' }) });
    expect(codeOf(result)).toBe('UNAUTHENTICATED');
  });
});

describe('failed-login lockout', () => {
  it('refuses every attempt after 5 failures, even with the right password, with a retry time', async () => {
    const email = 'student9@example.edu';
    for (let i = 0; i < 5; i++) expect(codeOf(await login(email, `wrong-${i}`))).toBe('UNAUTHENTICATED');
    const blocked = await login(email, DEMO_PASSWORD);
    expect(codeOf(blocked)).toBe('RATE_LIMITED');
    const retry = blocked.errors![0].extensions!.retryAfterSeconds as number;
    expect(retry).toBeGreaterThan(800);
    expect(retry).toBeLessThanOrEqual(900);
    // Another account from the same address is unaffected.
    expect((await login('student10@example.edu')).errors).toBeUndefined();
  });

  it('shares the counters through the database, so a second instance agrees', async () => {
    const email = 'student11@example.edu';
    for (let i = 0; i < 5; i++) await login(email, `wrong-${i}`);
    const rows = await app.assay.database.orm.em
      .fork()
      .execute(`select points from login_failures where key = 'login_fail_account:${limiterKey('account', email)}'`);
    expect(rows).toEqual([{ points: 5 }]);
  });
});
