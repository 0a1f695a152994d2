import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, GRAPHQL_RESPONSE_JSON, startTestApp, type TestApp } from './support/app';

let app: TestApp;
let token: string;
beforeAll(async () => {
  app = await startTestApp();
  token = await app.login('teacher1@example.edu');
});
afterAll(() => app?.stop());

const post = (body: string, headers: Record<string, string> = {}) =>
  fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers }, body });

describe('query limits', () => {
  it('lets a documented query through at its real depth', async () => {
    const result = await app.gql('{ students(first: 2) { edges { node { studentProfile { cohort } } } pageInfo { endCursor } } }', {}, { token });
    expect(result.errors).toBeUndefined();
  });

  it('refuses a query deeper than the limit before running it, naming the limit', async () => {
    // Nothing in the schema nests 16 levels yet, so a server with a lower limit shows the refusal.
    const shallow = await startTestApp({ GRAPHQL_MAX_DEPTH: '4' });
    try {
      const viewer = await shallow.login('teacher1@example.edu');
      const atLimit = await shallow.gql('{ students { edges { node { id } } } }', {}, { token: viewer });
      expect(atLimit.errors).toBeUndefined();
      const refused = await shallow.gql('{ students { edges { node { studentProfile { cohort } } } } }', {}, { token: viewer });
      expect(codeOf(refused)).toBe('BAD_USER_INPUT');
      expect(refused.errors![0].message).toMatch(/depth limit of 4/i);
      expect(refused.data).toBeNull();
      // Only the statement that authenticates the caller (and reads the user): no resolver ran.
      expect(refused.statements).toBe(1);
    } finally {
      await shallow.stop();
    }
  });

  it('lets one rich page through but refuses the cost of twenty aliased ones', async () => {
    const node = 'id email username role isActive isVerified createdAt updatedAt studentProfile { id cohort enrollmentId createdAt }';
    const page = (alias: string) => `${alias}: students(first: 100) { totalCount pageInfo { endCursor } edges { cursor node { ${node} } } }`;
    const one = await app.gql(`{ ${page('a')} }`, {}, { token });
    expect(one.errors).toBeUndefined();
    const many = await app.gql(`{ ${Array.from({ length: 20 }, (_, i) => page(`a${i}`)).join(' ')} }`, {}, { token });
    expect(codeOf(many)).toBe('BAD_USER_INPUT');
    expect(many.errors![0].message).toMatch(/Cost limit of 50000/i);
  });

  it('refuses more than 20 aliases', async () => {
    const aliases = Array.from({ length: 21 }, (_, i) => `a${i}: me { id }`).join(' ');
    const result = await app.gql(`{ ${aliases} }`, {}, { token });
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.errors![0].message).toMatch(/Aliases limit of 20/);
  });

  it('refuses more than 5 directives', async () => {
    const directives = Array.from({ length: 6 }, () => '@include(if: true)').join(' ');
    const result = await app.gql(`{ me ${directives} { id } }`, {}, { token });
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.errors![0].message).toMatch(/Directives limit of 5/);
  });

  it('refuses a document over the token limit', async () => {
    const fields = Array.from({ length: 6000 }, () => 'id').join(' ');
    const result = await app.gql(`{ me { ${fields} } }`, {}, { token, headers: GRAPHQL_RESPONSE_JSON });
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.status).toBe(400);
    expect(result.errors![0].message).toMatch(/more th.. 5000 tokens/);
  });

  it('refuses a malformed query and an unknown field with BAD_USER_INPUT', async () => {
    const malformed = await app.gql('{ students { ', {}, { token });
    expect(codeOf(malformed)).toBe('BAD_USER_INPUT');
    expect(malformed.errors![0].message).toMatch(/Syntax Error/);
    const unknown = await app.gql('{ students { nope } }', {}, { token });
    expect(codeOf(unknown)).toBe('BAD_USER_INPUT');
  });

  it('refuses batched HTTP requests and oversized bodies', async () => {
    const batch = await post(JSON.stringify([{ query: '{ me { id } }' }, { query: '{ me { id } }' }]));
    expect(batch.status).toBe(400);
    const huge = await post(JSON.stringify({ query: `{ me { id } } #${'x'.repeat(1_100_000)}` }));
    expect(huge.status).toBe(413);
    const body = (await huge.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(body.errors[0].message).toMatch(/exceeds 1mb/);
  });
});
