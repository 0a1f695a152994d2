import 'reflect-metadata';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type DocumentNode } from 'graphql';
import { startAssay, type Assay } from '../../src/app';
import { loadConfig } from '../../src/config';
import { DEMO_PASSWORD, TEST_JWT_SECRET } from './constants';
import { createTestDatabase, type TestDatabase } from './database';

export interface GqlResult<T> {
  status: number;
  headers: Headers;
  data: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
  /** SQL statements the server ran for this request. */
  statements: number;
}

export interface Credentials {
  token?: string;
  apiKey?: string;
  headers?: Record<string, string>;
}

export interface TestApp {
  url: string;
  assay: Assay;
  db: TestDatabase;
  gql<T, V>(document: TypedDocumentNode<T, V> | DocumentNode | string, variables?: V, auth?: Credentials): Promise<GqlResult<T>>;
  /** Logs a demo account in and returns its access token. */
  login(email: string, password?: string): Promise<string>;
  stop(): Promise<void>;
}

/** A real Assay server over HTTP, on its own database cloned from the template. */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: db.url,
    JWT_SECRET: TEST_JWT_SECRET,
    DB_POOL_MAX: '5',
    // Tests that exercise the scheduler start it themselves.
    JOBS_ENABLED: 'false',
    ...env,
  });
  const assay = await startAssay(config);
  const url = `http://127.0.0.1:${assay.server.port}/graphql`;

  const gql = gqlClient(url);

  return {
    url,
    assay,
    db,
    gql,
    login: loginWith(gql),
    stop: async () => {
      await assay.stop();
      await db.drop();
    },
  };
}

/** Asks for GraphQL over HTTP's own media type, whose status codes tell request errors (4xx) from answers (200). */
export const GRAPHQL_RESPONSE_JSON = { accept: 'application/graphql-response+json' };

/** The first error's code, for assertions. */
export const codeOf = (result: GqlResult<unknown>) => result.errors?.[0]?.extensions?.code;

/** How many answers had each first error code ('OK' for none): what a burst of concurrent calls came to. */
export function codeCounts(results: GqlResult<unknown>[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const result of results) {
    const code = (codeOf(result) as string | undefined) ?? 'OK';
    counts[code] = (counts[code] ?? 0) + 1;
  }
  return counts;
}

/** A typed GraphQL-over-HTTP client for one server's /graphql. */
export function gqlClient(url: string) {
  return async function gql<T, V>(document: TypedDocumentNode<T, V> | DocumentNode | string, variables?: V, auth: Credentials = {}) {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...auth.headers };
    if (auth.token) headers.authorization = `Bearer ${auth.token}`;
    if (auth.apiKey) headers['x-api-key'] = auth.apiKey;
    const query = typeof document === 'string' ? document : print(document);
    const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    const body = (await response.json()) as Omit<GqlResult<T>, 'status' | 'headers' | 'statements'>;
    return {
      status: response.status,
      headers: response.headers,
      data: body.data ?? null,
      errors: body.errors,
      statements: Number(response.headers.get('x-sql-statements') ?? Number.NaN),
    };
  };
}

/** Logs a demo account in through `gql` and returns its access token. */
export const loginWith =
  (gql: ReturnType<typeof gqlClient>) =>
  async (email: string, password = DEMO_PASSWORD): Promise<string> => {
    const result = await gql<{ login: { accessToken: string } }, unknown>(
      'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
      { e: email, p: password },
    );
    if (!result.data) throw new Error(`login ${email} failed: ${JSON.stringify(result.errors)}`);
    return result.data.login.accessToken;
  };

/** Another server process on an existing test database (its own pool, feed, wake-ups and webhook dispatcher). */
export async function startInstance(databaseUrl: string, env: Record<string, string> = {}) {
  const assay = await startAssay(
    loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: '0', DATABASE_URL: databaseUrl, JWT_SECRET: TEST_JWT_SECRET, DB_POOL_MAX: '3', JOBS_ENABLED: 'false', ...env }),
  );
  return { url: `http://127.0.0.1:${assay.server.port}/graphql`, stop: () => assay.stop() };
}

/**
 * A `test.extend` fixture: one server per test file, stopped after its last test.
 * `test.extend<{ app: TestApp }>({ app: appPerFile })`.
 */
export const appPerFile: [({}: object, use: (app: TestApp) => Promise<void>) => Promise<void>, { scope: 'file' }] = [
  async ({}, use) => {
    const app = await startTestApp();
    await use(app);
    await app.stop();
  },
  { scope: 'file' },
];
