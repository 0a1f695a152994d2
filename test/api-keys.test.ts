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

  it('are revoked by their owner (or an admin) only', async () => {
    const created = await createKey(teacher, ['read']);
    const otherTeacher = await app.login('teacher2@example.edu');
    expect(codeOf(await app.gql(RevokeApiKeyDocument, { id: created.apiKey.id }, { token: otherTeacher }))).toBe('NOT_FOUND');
    const revoked = await app.gql(RevokeApiKeyDocument, { id: created.apiKey.id }, { token: teacher });
    expect(revoked.data!.revokeApiKey.revokedAt).not.toBeNull();
  });

  it('refuse bad input: unknown scopes, no scopes, a blank name, an expiry in the past', async () => {
    const bad = async (input: { name: string; scopes: string[]; expiresAt?: string }) =>
      codeOf(await app.gql(CreateApiKeyDocument, { input }, { token: teacher }));
    expect(await bad({ name: 'x', scopes: ['admin'] })).toBe('BAD_USER_INPUT');
    expect(await bad({ name: 'x', scopes: [] })).toBe('BAD_USER_INPUT');
    expect(await bad({ name: '', scopes: ['read'] })).toBe('BAD_USER_INPUT');
    expect(await bad({ name: 'x', scopes: ['read'], expiresAt: '2001-01-01T00:00:00Z' })).toBe('BAD_USER_INPUT');
  });
});

// What a locked account's logins, tokens and keys are refused: test/token-attacks.test.ts.
describe('locking an account', () => {
  it('unlocking restores logins but brings back no session or key', async () => {
    const admin = await app.login('admin@example.edu');
    const login = await app.gql(LoginDocument, { email: 'teacher3@example.edu', password: DEMO_PASSWORD });
    const { accessToken, user } = login.data!.login;
    const key = await createKey(accessToken, ['read']);
    expect((await app.gql(LockUserDocument, { userId: user.id }, { token: admin })).data!.lockUser.isLocked).toBe(true);

    await app.gql(UnlockUserDocument, { userId: user.id }, { token: admin });
    const back = await app.gql(LoginDocument, { email: 'teacher3@example.edu', password: DEMO_PASSWORD });
    expect(back.errors).toBeUndefined();
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
