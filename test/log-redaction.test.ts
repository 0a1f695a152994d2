import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger';
import { serveCli } from './support/cli';
import { DEMO_PASSWORD, TEST_JWT_SECRET } from './support/constants';
import { createTestDatabase } from './support/database';

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
