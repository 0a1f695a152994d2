import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app';

/*
 * The GraphQL-over-HTTP specification's rules, each asked of a real server over HTTP: media
 * types by content negotiation, the status codes of each, GET for queries only, and
 * Apollo's CSRF protection kept for requests a browser could send without a preflight.
 */
const GRAPHQL_RESPONSE = 'application/graphql-response+json';
let app: TestApp;
let token: string;

beforeAll(async () => {
  app = await startTestApp();
  token = await app.login('teacher1@example.edu');
});
afterAll(() => app?.stop());

interface Answer {
  status: number;
  type: string;
  allow: string | null;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] };
}

async function answer(response: Response): Promise<Answer> {
  return { status: response.status, type: response.headers.get('content-type') ?? '', allow: response.headers.get('allow'), body: (await response.json()) as Answer['body'] };
}

const post = async (body: unknown, headers: Record<string, string> = {}) =>
  answer(await fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers }, body: JSON.stringify(body) }));

const get = async (params: Record<string, string>, headers: Record<string, string> = { 'apollo-require-preflight': 'true' }) =>
  answer(await fetch(`${app.url}?${new URLSearchParams(params).toString()}`, { headers: { authorization: `Bearer ${token}`, ...headers } }));

/** A request that fails before execution, one of each kind the specification names. */
const requestErrors = {
  parse: { query: '{ me { id ' },
  validation: { query: '{ noSuchField }' },
  'variable coercion': { query: 'query($first: Int) { assessments(first: $first) { totalCount } }', variables: { first: 'ten' } },
  'unknown operation name': { query: 'query Mine { me { username } }', operationName: 'Theirs' },
};

describe('application/graphql-response+json', () => {
  it('is chosen when the client asks for it, and a well-formed answer is 200', async () => {
    const ok = await post({ query: '{ me { username } }' }, { accept: GRAPHQL_RESPONSE });
    expect(ok).toMatchObject({ status: 200, body: { data: { me: { username: 'teacher1' } } } });
    expect(ok.type).toMatch(/^application\/graphql-response\+json/);
  });

  it.each(Object.entries(requestErrors))('answers a %s failure with 400 and no data', async (_kind, request) => {
    const refused = await post(request, { accept: GRAPHQL_RESPONSE });
    expect(refused.status).toBe(400);
    expect(refused.type).toMatch(/^application\/graphql-response\+json/);
    expect(refused.body).not.toHaveProperty('data');
    expect(refused.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('answers 200 once execution began, even when a field failed', async () => {
    const partial = await answer(await fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: GRAPHQL_RESPONSE }, body: JSON.stringify({ query: '{ assessments { totalCount } }' }) }));
    expect(partial.status).toBe(200);
    expect(partial.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('wins over application/json when the client prefers it', async () => {
    const refused = await post(requestErrors.validation, { accept: `${GRAPHQL_RESPONSE}, application/json;q=0.9` });
    expect(refused.status).toBe(400);
    expect(refused.type).toMatch(/^application\/graphql-response\+json/);
  });
});

describe('application/json, for clients that predate the specification', () => {
  it.each([['application/json'], ['*/*'], [undefined]])('answers every well-formed request with 200 (Accept: %s)', async (accept) => {
    for (const request of Object.values(requestErrors)) {
      const answered = await post(request, accept ? { accept } : {});
      expect(answered.status).toBe(200);
      expect(answered.type).toMatch(/^application\/json/);
      expect(answered.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it('answers a request that is not well-formed (no query) with 400', async () => {
    const refused = await post({ variables: {} }, { accept: 'application/json' });
    expect(refused.status).toBe(400);
  });

  it('answers 406 to a client that accepts neither media type', async () => {
    expect((await post({ query: '{ __typename }' }, { accept: 'application/xml' })).status).toBe(406);
  });
});

describe('GET', () => {
  const page = 'query Few($first: Int!) { assessments(first: $first) { edges { node { id } } } } query Me { me { username } }';

  it('runs a query, with operationName, URL-encoded JSON variables and extensions', async () => {
    const answered = await get({ query: page, operationName: 'Few', variables: JSON.stringify({ first: 3 }), extensions: JSON.stringify({}) });
    expect(answered.status).toBe(200);
    expect((answered.body.data?.assessments as { edges: unknown[] }).edges).toHaveLength(3);
    expect((await get({ query: page, operationName: 'Me' })).body.data).toEqual({ me: { username: 'teacher1' } });
  });

  it('never runs a mutation: 405, allowing POST', async () => {
    const refused = await get({ query: 'mutation { logout(refreshToken: "x") }' });
    expect(refused.status).toBe(405);
    expect(refused.allow).toBe('POST');
  });

  it('keeps CSRF protection: a GET a browser could send without a preflight is refused', async () => {
    const refused = await get({ query: '{ me { username } }' }, {});
    expect(refused.status).toBe(400);
    expect(refused.body.errors?.[0].message).toMatch(/Cross-Site Request Forgery/);
    expect(refused.body.data).toBeUndefined();
  });

  it('keeps CSRF protection for POSTs of a form or plain text', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      const response = await fetch(app.url, { method: 'POST', headers: { 'content-type': type, authorization: `Bearer ${token}` }, body: '{"query":"{ me { username } }"}' });
      expect(response.status).toBe(400);
      expect(await response.text()).not.toContain('teacher1');
    }
  });
});
