import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiKeysDocument,
  CreateApiKeyDocument,
  CreateUserDocument,
  LockUserDocument,
  LoginDocument,
  RevokeApiKeyDocument,
  StudentsDocument,
  UnlockUserDocument,
} from './generated/graphql';
import { codeOf, startTestApp, type TestApp } from './support/app';
import { DEMO_PASSWORD } from './support/constants';

let app: TestApp;
let teacher: string;

beforeAll(async () => {
  app = await startTestApp();
  teacher = await app.login('teacher1@example.edu');
});
afterAll(() => app?.stop());

const createKey = async (token: string, scopes: string[], extra: { expiresAt?: string; name?: string } = {}) => {
  const result = await app.gql(CreateApiKeyDocument, { input: { name: extra.name ?? 'notebook', scopes, expiresAt: extra.expiresAt } }, { token });
  if (!result.data) throw new Error(JSON.stringify(result.errors));
  return result.data.createApiKey;
};

describe('API keys', () => {
  it('are shown once, stored hashed, and act as their owner', async () => {
    const created = await createKey(teacher, ['read']);
    expect(created.key).toMatch(/^assay_[A-Za-z0-9_-]{43}$/);
    expect(created.key.startsWith(created.apiKey.prefix)).toBe(true);
    const stored = await app.assay.database.orm.em.fork().execute(`select key_hash from api_keys where id = '${created.apiKey.id}'`);
    expect(stored[0].key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored[0].key_hash).not.toContain(created.key);

    const viaHeader = await app.gql(StudentsDocument, {}, { apiKey: created.key });
    expect(viaHeader.data!.students.totalCount).toBe(10);
    const viaBearer = await app.gql(StudentsDocument, {}, { token: created.key });
    expect(viaBearer.data!.students.totalCount).toBe(10);

    const listed = await app.gql(ApiKeysDocument, {}, { token: teacher });
    const mine = listed.data!.apiKeys.find((k) => k.id === created.apiKey.id)!;
    expect(mine.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(listed)).not.toContain(created.key);
  });

  it('are narrowed to their scopes', async () => {
    const writeOnly = await createKey(teacher, ['events:write']);
    const read = await app.gql(StudentsDocument, {}, { apiKey: writeOnly.key });
    expect(codeOf(read)).toBe('FORBIDDEN');
    expect(read.errors![0].message).toMatch(/read scope/);
    expect(read.data).toBeNull();
  });

  it('cannot manage accounts or mint keys, even an admin key with every scope', async () => {
    const admin = await app.login('admin@example.edu');
    const key = await createKey(admin, ['read', 'events:write', 'analysis:write', 'assessments:write', 'subscribe']);
    const mint = await app.gql(CreateApiKeyDocument, { input: { name: 'child', scopes: ['read'] } }, { apiKey: key.key });
    expect(codeOf(mint)).toBe('FORBIDDEN');
    const create = await app.gql(
      CreateUserDocument,
      { input: { email: 'k@example.edu', username: 'kkk', password: 'long-enough-pw', role: 'ADMIN' } },
      { apiKey: key.key },
    );
    expect(codeOf(create)).toBe('FORBIDDEN');
  });

  it('stop working when revoked, and only the owner (or an admin) may revoke', async () => {
    const created = await createKey(teacher, ['read']);
    const otherTeacher = await app.login('teacher2@example.edu');
    expect(codeOf(await app.gql(RevokeApiKeyDocument, { id: created.apiKey.id }, { token: otherTeacher }))).toBe('NOT_FOUND');
    const revoked = await app.gql(RevokeApiKeyDocument, { id: created.apiKey.id }, { token: teacher });
    expect(revoked.data!.revokeApiKey.revokedAt).not.toBeNull();
    const after = await app.gql(StudentsDocument, {}, { apiKey: created.key });
    expect(codeOf(after)).toBe('UNAUTHENTICATED');
    expect(after.errors![0].message).toMatch(/Invalid API key/);
  });

  it('stop working when expired', async () => {
    const created = await createKey(teacher, ['read'], { expiresAt: new Date(Date.now() + 60_000).toISOString() });
    await app.assay.database.orm.em.fork().execute(`update api_keys set expires_at = now() - interval '1 second' where id = '${created.apiKey.id}'`);
    const result = await app.gql(StudentsDocument, {}, { apiKey: created.key });
    expect(codeOf(result)).toBe('UNAUTHENTICATED');
    expect(result.errors![0].message).toMatch(/expired/);
  });

  it('refuse bad input: unknown scopes, no scopes, an expiry in the past, an unknown key', async () => {
    const bad = async (input: { name: string; scopes: string[]; expiresAt?: string }) =>
      codeOf(await app.gql(CreateApiKeyDocument, { input }, { token: teacher }));
    expect(await bad({ name: 'x', scopes: ['admin'] })).toBe('BAD_USER_INPUT');
    expect(await bad({ name: 'x', scopes: [] })).toBe('BAD_USER_INPUT');
    expect(await bad({ name: '', scopes: ['read'] })).toBe('BAD_USER_INPUT');
    expect(await bad({ name: 'x', scopes: ['read'], expiresAt: '2001-01-01T00:00:00Z' })).toBe('BAD_USER_INPUT');
    expect(codeOf(await app.gql(StudentsDocument, {}, { apiKey: 'assay_not-a-real-key' }))).toBe('UNAUTHENTICATED');
  });
});

describe('locking an account', () => {
  it('refuses its logins, old tokens and API keys at once; unlocking restores logins but no session or key', async () => {
    const admin = await app.login('admin@example.edu');
    const login = await app.gql(LoginDocument, { email: 'teacher3@example.edu', password: DEMO_PASSWORD });
    const { accessToken, user } = login.data!.login;
    const key = await createKey(accessToken, ['read']);

    const locked = await app.gql(LockUserDocument, { userId: user.id }, { token: admin });
    expect(locked.data!.lockUser.isLocked).toBe(true);

    expect(codeOf(await app.gql(StudentsDocument, {}, { token: accessToken }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await app.gql(StudentsDocument, {}, { apiKey: key.key }))).toBe('UNAUTHENTICATED');
    const relogin = await app.gql(LoginDocument, { email: 'teacher3@example.edu', password: DEMO_PASSWORD });
    expect(codeOf(relogin)).toBe('UNAUTHENTICATED');
    expect(relogin.errors![0].message).toMatch(/locked/);

    await app.gql(UnlockUserDocument, { userId: user.id }, { token: admin });
    const back = await app.gql(LoginDocument, { email: 'teacher3@example.edu', password: DEMO_PASSWORD });
    expect(back.errors).toBeUndefined();
    // Sessions and keys ended by the lock stay ended.
    expect(codeOf(await app.gql(StudentsDocument, {}, { apiKey: key.key }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await app.gql(StudentsDocument, {}, { token: accessToken }))).toBe('UNAUTHENTICATED');
    const keys = await app.gql(ApiKeysDocument, { includeRevoked: true }, { token: back.data!.login.accessToken });
    expect(keys.data!.apiKeys.find((k) => k.id === key.apiKey.id)?.revokedAt).toBeTruthy();
  });

  it('an admin cannot lock themself', async () => {
    const admin = await app.login('admin@example.edu');
    const me = await app.gql('{ me { id } }', {}, { token: admin });
    const result = await app.gql(LockUserDocument, { userId: (me.data as { me: { id: string } }).me.id }, { token: admin });
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
  });
});
