import { PassThrough } from 'node:stream';
import { Client } from 'pg';
import type { CliIo } from '../../src/cli/assessment-io';
import { loadConfig, type Config } from '../../src/config';
import type { TestApp } from './app';
import { TEST_JWT_SECRET } from './constants';

/** Runs SQL straight against the test app's database (setup and assertions, never the code under test). */
export async function sql<T = Record<string, unknown>>(app: TestApp, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: app.db.url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

export const userId = async (app: TestApp, email: string) =>
  (await sql<{ id: string }>(app, 'select id from users where email = $1', [email]))[0].id;

export const countAssessments = async (app: TestApp) =>
  Number((await sql<{ n: string }>(app, 'select count(*) as n from skill_assessments'))[0].n);

export const countEvidence = async (app: TestApp) => Number((await sql<{ n: string }>(app, 'select count(*) as n from evidence'))[0].n);

/** Every assessment and evidence column as text, in id order: equal dumps mean identical rows. */
export const dumpRows = async (app: TestApp) => ({
  assessments: await sql(app, 'select row_to_json(a)::text as row from skill_assessments a order by id'),
  evidence: await sql(app, 'select row_to_json(e)::text as row from evidence e order by id'),
});

/** An API key of the account, with these scopes. */
export async function apiKeyFor(app: TestApp, email: string, scopes: string[]): Promise<string> {
  const token = await app.login(email);
  const result = await app.gql<{ createApiKey: { key: string } }, unknown>(
    'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }',
    { input: { name: `test ${scopes.join(' ')}`, scopes } },
    { token },
  );
  if (!result.data) throw new Error(`createApiKey failed: ${JSON.stringify(result.errors)}`);
  return result.data.createApiKey.key;
}

/** Configuration for calling CLI command functions against the test app's database. */
export const cliConfig = (app: TestApp, env: Record<string, string> = {}): Config =>
  loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: app.db.url, JWT_SECRET: TEST_JWT_SECRET, ...env });

/** Captures what a CLI command writes. */
export function captureIo(): { io: CliIo; out: () => string; err: () => string } {
  const chunks = { out: [] as string[], err: [] as string[] };
  const out = new PassThrough();
  const err = new PassThrough();
  out.on('data', (c: Buffer) => chunks.out.push(c.toString()));
  err.on('data', (c: Buffer) => chunks.err.push(c.toString()));
  return { io: { out, err }, out: () => chunks.out.join(''), err: () => chunks.err.join('') };
}
