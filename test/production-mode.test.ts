import { hash as bcryptHash } from '@node-rs/bcrypt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginDocument } from './generated/graphql';
import { codeOf, startTestApp, type TestApp } from './support/app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ NODE_ENV: 'production' });
});
afterAll(() => app?.stop());

describe('NODE_ENV=production', () => {
  it('turns introspection off', async () => {
    const result = await app.gql('{ __schema { types { name } } }');
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.data ?? null).toBeNull();
  });

  it('does not suggest field names', async () => {
    const token = await app.login('teacher1@example.edu');
    const result = await app.gql('{ students { totlCount } }', {}, { token });
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.errors![0].message).not.toMatch(/Did you mean/);
  });

  it('masks unexpected errors: no SQL, no stack, a request id to find the log line', async () => {
    const token = await app.login('teacher1@example.edu');
    await app.db.sql('alter table student_profiles rename column cohort to cohort_broken');
    try {
      const result = await app.gql('{ students { totalCount } }', {}, { token, headers: { 'x-request-id': 'trace-me-123' } });
      expect(codeOf(result)).toBe('INTERNAL_SERVER_ERROR');
      expect(result.errors![0].message).toBe('Internal server error');
      expect(result.errors![0].extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId: 'trace-me-123' });
      expect(JSON.stringify(result)).not.toMatch(/select|cohort_broken|student_profiles|at .*\.ts/i);
      expect(result.headers.get('x-request-id')).toBe('trace-me-123');
    } finally {
      await app.db.sql('alter table student_profiles rename column cohort_broken to cohort');
    }
  });

  it('readyz reports pending migrations; healthz stays up', async () => {
    const base = app.url.replace('/graphql', '');
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ready' });
    await app.db.sql(`delete from mikro_orm_migrations where name = (select max(name) from mikro_orm_migrations)`);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { status: string }).status).toBe('migrations pending');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});

describe('legacy bcrypt hashes', () => {
  it('are accepted once and replaced by argon2id', async () => {
    const legacy = await bcryptHash('old-bcrypt-password', { cost: 10 });
    await app.db.sql(`update users set password_hash = '${legacy}' where email = 'student30@example.edu'`);
    const login = await app.gql(LoginDocument, { email: 'student30@example.edu', password: 'old-bcrypt-password' });
    expect(login.errors).toBeUndefined();
    const [row] = await app.db.sql(`select password_hash from users where email = 'student30@example.edu'`);
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const again = await app.gql(LoginDocument, { email: 'student30@example.edu', password: 'old-bcrypt-password' });
    expect(again.errors).toBeUndefined();
    const wrong = await app.gql(LoginDocument, { email: 'student30@example.edu', password: 'assay-demo' });
    expect(codeOf(wrong)).toBe('UNAUTHENTICATED');
  });
});
