import { hash as bcryptHash } from '@node-rs/bcrypt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphQLError } from 'graphql';
import { errorFormatter } from '../src/http/format-error';
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

  it('suggests nothing: no enum values, types, arguments, input fields or variables', async () => {
    const token = await app.login('admin@example.edu');
    // Each probe misspells something, and the name graphql-js would suggest must not appear.
    const probes: [string, Record<string, unknown>, string][] = [
      ['{ users(filter: { role: ADMN }) { totalCount } }', {}, '"ADMIN"'],
      ['query($r: Role) { users(filter: { role: $r }) { totalCount } }', { r: 'ADMN' }, '"ADMIN"'],
      ['{ assessments(filter: { skillTypes: [EMPATHI] }) { totalCount } }', {}, 'EMPATHY'],
      ['query($f: UserFiltr) { users(filter: $f) { totalCount } }', {}, '"UserFilter"'],
      ['{ users(frist: 1) { totalCount } }', {}, '"first"'],
      ['{ users(filter: { rol: ADMIN }) { totalCount } }', {}, '"role"'],
      ['query($f: UserFilter) { users(filter: $f) { totalCount } }', { f: { rol: 'ADMIN' } }, '"role"'],
      ['{ users { totlCount } }', {}, 'totalCount'],
    ];
    for (const [query, variables, suggested] of probes) {
      for (const auth of [{}, { token }]) {
        const result = await app.gql(query, variables, auth);
        expect(codeOf(result), query).toBe('BAD_USER_INPUT');
        const messages = result.errors!.map((e) => e.message).join(' ');
        expect(messages, query).not.toMatch(/Did you mean/);
        expect(messages, query).not.toContain(suggested);
      }
    }
  });

  it('sends security headers, no-store, and no diagnostics headers', async () => {
    const token = await app.login('admin@example.edu');
    for (let i = 0; i < 2; i++) {
      const result = await app.gql('{ me { id } }', {}, { token });
      expect(result.errors).toBeUndefined();
      expect(result.headers.get('x-sql-statements')).toBeNull();
      expect(result.headers.get('x-assay-cache')).toBeNull();
      expect(result.headers.get('x-content-type-options')).toBe('nosniff');
      expect(result.headers.get('cache-control')).toBe('no-store');
      expect(result.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
    }
    const login = await app.gql(LoginDocument, { email: 'admin@example.edu', password: 'assay-demo' });
    expect(login.headers.get('cache-control')).toBe('no-store');
    const refused = await fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": "{ me { id } }", "variables": {"v": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}}' });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('cache-control')).toBe('no-store');
    expect(refused.headers.get('x-content-type-options')).toBe('nosniff');
    const health = await fetch(app.url.replace('/graphql', '/healthz'));
    expect(health.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('compresses long answers for clients that accept gzip, and sends short ones and the rest as they are', async () => {
    const token = await app.login('admin@example.edu');
    const post = (query: string, acceptEncoding: string) =>
      fetch(app.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'accept-encoding': acceptEncoding },
        body: JSON.stringify({ query }),
      });
    const long = '{ students(first: 50) { edges { node { id email username } } } }';
    const gzipped = await post(long, 'gzip');
    expect(gzipped.headers.get('content-encoding')).toBe('gzip');
    expect(((await gzipped.json()) as { data: { students: { edges: unknown[] } } }).data.students.edges.length).toBeGreaterThan(5);
    const plain = await post(long, 'identity');
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(Number(plain.headers.get('content-length'))).toBeGreaterThan(1024);
    const short = await post('{ me { id } }', 'gzip');
    expect(short.headers.get('content-encoding')).toBeNull();
    expect(((await short.json()) as { data: { me: { id: string } } }).data.me.id).toBeTruthy();
  });

  it('masks the errors Apollo itself labels INTERNAL_SERVER_ERROR, whose messages are raw', () => {
    const format = errorFormatter(true);
    const raw = format({ message: 'RangeError: Maximum call stack size exceeded', extensions: { code: 'INTERNAL_SERVER_ERROR' } }, new RangeError('Maximum call stack size exceeded'));
    expect(raw).toEqual({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    const labelled = new GraphQLError('select * from users', { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(format({ message: labelled.message, extensions: labelled.extensions }, labelled).message).toBe('Internal server error');
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

describe('outside production', () => {
  it('keeps the diagnostics headers, and serves the explorer under a CSP of its own', async () => {
    const dev = await startTestApp({ NODE_ENV: 'development' });
    try {
      const token = await dev.login('admin@example.edu');
      const result = await dev.gql('{ exams(first: 1) { totalCount } }', {}, { token });
      expect(result.headers.get('x-sql-statements')).toMatch(/^\d+$/);
      expect(result.headers.get('x-assay-cache')).toBe('miss');
      expect(result.headers.get('cache-control')).toBe('no-store');
      const page = await fetch(dev.url, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<html/i);
      expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'self'/);
      expect(result.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    } finally {
      await dev.stop();
    }
    const quiet = await startTestApp({ DIAGNOSTIC_HEADERS: 'false' });
    try {
      const result = await quiet.gql('{ me { id } }', {}, { token: await quiet.login('admin@example.edu') });
      expect(result.headers.get('x-sql-statements')).toBeNull();
      expect(result.headers.get('x-assay-cache')).toBeNull();
    } finally {
      await quiet.stop();
    }
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
