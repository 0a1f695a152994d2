import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, GRAPHQL_RESPONSE_JSON, startTestApp, type TestApp } from './support/app';
import { createLogger } from '../src/logger';
import { serveCli } from './support/cli';
import { DEMO_PASSWORD, TEST_JWT_SECRET } from './support/constants';
import { createTestDatabase } from './support/database';

// What issue 11 found by probing a production server: input that cost it dearly or answered 500.
let app: TestApp;
let token: string;
beforeAll(async () => {
  app = await startTestApp({ NODE_ENV: 'production' });
  token = await app.login('admin@example.edu');
});
afterAll(() => app?.stop());

interface RawAnswer {
  status: number;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function post(body: string, auth = true): Promise<RawAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...GRAPHQL_RESPONSE_JSON };
  if (auth) headers.authorization = `Bearer ${token}`;
  const response = await fetch(app.url, { method: 'POST', headers, body });
  return { status: response.status, ...((await response.json()) as Omit<RawAnswer, 'status'>) };
}

const nested = (open: string, close: string, depth: number, inner = '1') => `${open.repeat(depth)}${inner}${close.repeat(depth)}`;
const cursor = (iso: string) => Buffer.from(JSON.stringify([iso, '00000000-0000-4000-8000-000000000000'])).toString('base64url');

function expectRefused(answer: RawAnswer, message: RegExp) {
  expect(answer.status).toBe(400);
  expect(answer.errors).toHaveLength(1);
  expect(answer.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
  expect(answer.errors![0].message).toMatch(message);
}

describe('deeply nested JSON', () => {
  it('refuses variables nested past JSON_MAX_DEPTH before parsing or hashing them', async () => {
    const body = `{"query":"{ me { id } }","variables":{"v":${nested('[', ']', 5000)}}}`;
    expectRefused(await post(body), /nested deeper than 32/);
    expectRefused(await post(body, false), /nested deeper than 32/);
  });

  it('refuses a megabyte of nested arrays, which JSON.parse alone took hundreds of milliseconds over', async () => {
    expectRefused(await post(`{"query":"{ me { id } }","variables":{"v":${nested('[', ']', 500_000)}}}`), /nested deeper than 32/);
  });

  it('lets JSON at the limit through, whatever brackets its strings hold', async () => {
    // The body's object and variables take two of the 32 levels.
    const body = JSON.stringify({ query: '{ me { id } }', variables: { v: JSON.parse(nested('[', ']', 30)) as unknown, s: '[[[[{{{{'.repeat(10) } });
    const answer = await post(body);
    expect(answer.status).toBe(200);
    expect(answer.errors).toBeUndefined();
  });

  it('refuses a document whose literals nest past the limit, naming it, before parsing it', async () => {
    const answer = await post(JSON.stringify({ query: `{ me(x: ${nested('[', ']', 2400)}) { id } }` }));
    expectRefused(answer, /nested deeper than 32/);
    expect(JSON.stringify(answer)).not.toMatch(/RangeError|call stack/);
    const objects = await post(JSON.stringify({ query: `{ me(x: ${nested('{a: ', '}', 40)}) { id } }` }));
    expectRefused(objects, /nested deeper than 32/);
  });

  it('refuses selections nested far past the depth limit before parsing them', async () => {
    expectRefused(await post(JSON.stringify({ query: `{ ${nested('me { ', ' }', 1600, 'id')} }` })), /selections nested deeper than 31 levels/);
    // Inline fragments add selection sets but no depth; armor's cost limit bounds how many.
    const inline = await post(JSON.stringify({ query: `{ me { ${nested('... on User { ', ' }', 10, 'id')} } }` }));
    expect(inline.status).toBe(200);
    expect(inline.errors).toBeUndefined();
  });

  it('applies the same limits to GET requests', async () => {
    const get = (params: Record<string, string>) =>
      fetch(`${app.url}?${new URLSearchParams(params).toString()}`, { headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' } }).then(
        async (r) => ({ status: r.status, ...((await r.json()) as Omit<RawAnswer, 'status'>) }),
      );
    const fine = await get({ query: '{ me { id } }' });
    expect(fine.status).toBe(200);
    // Node refuses request lines over 16 KB itself, so a GET cannot carry much more than this.
    expectRefused(await get({ query: '{ me { id } }', variables: `{"v":${nested('[', ']', 1000)}}` }), /nested deeper than 32/);
    expectRefused(await get({ query: `{ me(x: ${nested('[', ']', 100)}) { id } }` }), /nested deeper than 32/);
  });
});

describe('input that used to answer 500', () => {
  const login = 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }';

  it('refuses a NUL character in variables and in document strings', async () => {
    expectRefused(await post(JSON.stringify({ query: login, variables: { e: 'student1@example.edu\u0000', p: 'assay-demo' } }), false), /NUL/);
    expectRefused(await post(JSON.stringify({ query: login, variables: { e: 'x@example.edu', p: 'p', extra: { '\u0000': 1 } } }), false), /NUL/);
    const literal = 'mutation { login(email: "student1@example.edu\\u0000", password: "assay-demo") { accessToken } }';
    expectRefused(await post(JSON.stringify({ query: literal }), false), /NUL/);
  });

  it('refuses cursors whose dates PostgreSQL cannot store', async () => {
    for (const iso of ['+275760-09-13T00:00:00.000Z', '-271821-04-20T00:00:00.000Z', '0000-01-01T00:00:00.000Z']) {
      const result = await app.gql('query($a: String) { assessments(after: $a) { totalCount } }', { a: cursor(iso) }, { token, headers: GRAPHQL_RESPONSE_JSON });
      expect(result.status).toBe(400);
      expect(codeOf(result)).toBe('BAD_USER_INPUT');
      expect(result.errors![0].message).toMatch(/not a cursor/);
    }
  });

  it('refuses dates outside the years 0001-9999, as variables and as literals', async () => {
    const query = 'query($from: DateTimeISO) { assessments(filter: { from: $from }) { totalCount } }';
    for (const from of ['0000-01-01T00:00:00Z', '+275760-09-13T00:00:00Z', '10000-01-01T00:00:00Z']) {
      expectRefused(await post(JSON.stringify({ query, variables: { from } })), /years 0001-9999|DateTime/);
    }
    const literal = await post(JSON.stringify({ query: '{ assessments(filter: { from: "0000-01-01T00:00:00Z" }) { totalCount } }' }));
    expectRefused(literal, /years 0001-9999/);
    const fine = await app.gql(query, { from: '0001-01-01T00:00:00Z' }, { token });
    expect(fine.errors).toBeUndefined();
  });

  it('refuses a blank API key name before the database does', async () => {
    const result = await app.gql('mutation { createApiKey(input: { name: "   ", scopes: ["read"] }) { key } }', {}, { token, headers: GRAPHQL_RESPONSE_JSON });
    expect(result.status).toBe(400);
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.errors![0].message).toMatch(/name must not be blank/);
  });

  it('answers a document over the token limit with 400', async () => {
    const fields = Array.from({ length: 5001 }, () => 'id').join(' ');
    expectRefused(await post(JSON.stringify({ query: `{ me { ${fields} } }` })), /more th.. 5000 tokens/);
  });
});

describe('logs', () => {
  it('redact secrets wherever a log object carries them', () => {
    const lines: string[] = [];
    const log = createLogger('info', { write: (line: string) => void lines.push(line) });
    log.info({ password: 'p1', user: { passwordHash: 'h1', key_hash: 'h2' }, req: { headers: { authorization: 'Bearer t1', 'x-api-key': 'k1' } }, refreshToken: 't2' }, 'x');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/p1|h1|h2|t1|k1|t2/);
    expect(JSON.parse(lines[0])).toMatchObject({ password: '[redacted]', user: { passwordHash: '[redacted]' }, req: { headers: { authorization: '[redacted]' } } });
  });

  it('keep statements, rows, hashes, tokens and passwords out of the masked error line', async () => {
    const db = await createTestDatabase();
    // A constraint the API does not validate, so the insert of a key (with its hash) fails in the database.
    await db.sql(`alter table api_keys add constraint api_keys_test_trip check (name <> 'trip the check')`);
    const served = await serveCli({ DATABASE_URL: db.url, JWT_SECRET: TEST_JWT_SECRET, PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'production', LOG_LEVEL: 'info', JOBS_ENABLED: 'false' });
    try {
      const url = /Assay ready at (\S+)/.exec(served.output())![1];
      const gql = async (query: string, variables: Record<string, unknown>, bearer?: string) => {
        const headers: Record<string, string> = { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) };
        const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
        return (await response.json()) as { data: Record<string, { accessToken: string }> | null; errors?: { extensions: { code: string } }[] };
      };
      const login = await gql('mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }', { e: 'admin@example.edu', p: DEMO_PASSWORD });
      const bearer = login.data!.login.accessToken;
      const created = await gql('mutation($n: String!) { createApiKey(input: { name: $n, scopes: ["read"] }) { key } }', { n: 'trip the check' }, bearer);
      expect(created.errors![0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
      await new Promise((r) => setTimeout(r, 200));
      const line = served.output().split('\n').find((l) => l.includes('"unexpected error"'));
      expect(line).toBeDefined();
      expect(JSON.parse(line!)).toMatchObject({ err: { code: '23514', constraint: 'api_keys_test_trip', table: 'api_keys' } });
      const output = served.output();
      expect(output).not.toMatch(/insert into|Failing row|\b[0-9a-f]{64}\b/i);
      expect(output).not.toContain(bearer);
      expect(output).not.toContain(DEMO_PASSWORD);
    } finally {
      await served.stop();
      await db.drop();
    }
  }, 120_000);
});
