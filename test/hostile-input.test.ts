import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, startTestApp, type TestApp } from './support/app';

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
  const headers: Record<string, string> = { 'content-type': 'application/json' };
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

  it('refuses a megabyte of nested arrays quickly', async () => {
    const body = `{"query":"{ me { id } }","variables":{"v":${nested('[', ']', 500_000)}}}`;
    const started = performance.now();
    expectRefused(await post(body), /nested deeper than 32/);
    expect(performance.now() - started).toBeLessThan(100);
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
      const result = await app.gql('query($a: String) { assessments(after: $a) { totalCount } }', { a: cursor(iso) }, { token });
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
    const result = await app.gql('mutation { createApiKey(input: { name: "   ", scopes: ["read"] }) { key } }', {}, { token });
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.errors![0].message).toMatch(/name must not be blank/);
  });

  it('answers a document over the token limit with 400', async () => {
    const fields = Array.from({ length: 5001 }, () => 'id').join(' ');
    expectRefused(await post(JSON.stringify({ query: `{ me { ${fields} } }` })), /more th.. 5000 tokens/);
  });
});
