import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, startTestApp, type TestApp } from './support/app';

let app: TestApp;
let token: string;
beforeAll(async () => {
  app = await startTestApp();
  token = await app.login('teacher1@example.edu');
});
afterAll(() => app?.stop());

// Each limit refused through every channel (aliases, directives, tokens, bodies, batches): test/hostile-input.test.ts.
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

  it('refuses a malformed query and an unknown field with BAD_USER_INPUT', async () => {
    const malformed = await app.gql('{ students { ', {}, { token });
    expect(codeOf(malformed)).toBe('BAD_USER_INPUT');
    expect(malformed.errors![0].message).toMatch(/Syntax Error/);
    const unknown = await app.gql('{ students { nope } }', {}, { token });
    expect(codeOf(unknown)).toBe('BAD_USER_INPUT');
  });
});
