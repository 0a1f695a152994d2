import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { limiterKey } from '../src/auth/login-limiter';
import { AvailableExamsDocument, LoginDocument, MeDocument, RegisterDocument, StudentsDocument } from './generated/graphql';
import { codeOf, startTestApp, type TestApp } from './support/app';
import { DEMO_PASSWORD } from './support/constants';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.stop());

const login = async (email: string, password = DEMO_PASSWORD) => app.gql(LoginDocument, { email, password });

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

describe('login counters', () => {
  it('shares the counters through the database, so a second instance agrees', async () => {
    const email = 'student11@example.edu';
    for (let i = 0; i < 5; i++) await login(email, `wrong-${i}`);
    const rows = await app.assay.database.orm.em
      .fork()
      .execute(`select points from login_failures where key = 'login_fail_account:${limiterKey('account', email)}'`);
    expect(rows).toEqual([{ points: 5 }]);
  });
});
