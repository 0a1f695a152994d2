import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveCli } from './support/cli';
import { TEST_JWT_SECRET } from './support/constants';
import { gqlClient, startTestApp, type TestApp } from './support/app';
import { FlagFeedDocument, LoginDocument, MeDocument } from './generated/graphql';
import { subscribe, until } from './support/subscriptions';

/*
 * `/metrics` (Prometheus text from prom-client) and the request log line, against real
 * servers: the counters move with what requests do, the endpoint answers only this host or
 * the bearer of METRICS_TOKEN, and the log names the caller's kind, never its credential.
 */
const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.stop());

const metricsUrl = (graphqlUrl: string) => graphqlUrl.replace(/\/graphql$/, '/metrics');

async function scrape(url = metricsUrl(app.url), headers: Record<string, string> = {}): Promise<string> {
  const response = await fetch(url, { headers });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

/** The value of one sample, 0 when the series does not exist yet. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => {
    if (!l.startsWith(`${name}{`) && !l.startsWith(`${name} `)) return false;
    return wanted.every((w) => l.includes(w));
  });
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

describe('/metrics', () => {
  it('counts requests by operation and outcome, their statements, and failed logins', async () => {
    const token = await app.login('teacher1@example.edu');
    const before = await scrape();
    await app.gql(MeDocument, {}, { token });
    await app.gql(MeDocument, {}, { token });
    await app.gql(LoginDocument, { email: 'teacher1@example.edu', password: 'not the password' });
    const after = await scrape();
    const count = (text: string, labels: Record<string, string>) => sample(text, 'assay_graphql_request_duration_seconds_count', labels);
    expect(count(after, { operation: 'Me', outcome: 'ok' }) - count(before, { operation: 'Me', outcome: 'ok' })).toBe(2);
    expect(count(after, { operation: 'Login', outcome: 'errors' }) - count(before, { operation: 'Login', outcome: 'errors' })).toBe(1);
    expect(sample(after, 'assay_login_failures_total') - sample(before, 'assay_login_failures_total')).toBe(1);
    expect(sample(after, 'assay_audit_entries_appended_total', { action: 'LOGIN_FAILED' })).toBeGreaterThan(sample(before, 'assay_audit_entries_appended_total', { action: 'LOGIN_FAILED' }));
    expect(sample(after, 'assay_graphql_request_sql_statements_count', { operation: 'Me' }) - sample(before, 'assay_graphql_request_sql_statements_count', { operation: 'Me' })).toBe(2);
  });

  it('shows the database pool, the process and the response cache', async () => {
    const text = await scrape();
    for (const name of ['assay_db_pool_connections_in_use', 'assay_db_pool_connections_idle', 'assay_db_pool_requests_waiting', 'assay_process_cpu_user_seconds_total', 'assay_subscription_connections']) {
      expect(text).toMatch(new RegExp(`^${name} \\d`, 'm'));
    }
    expect(sample(text, 'assay_db_pool_connections_idle') + sample(text, 'assay_db_pool_connections_in_use')).toBeGreaterThan(0);
    expect(text).toContain('# TYPE assay_response_cache_lookups_total counter');
  });

  it('counts open subscription connections that proved a credential', async () => {
    const token = await app.login('teacher1@example.edu');
    const before = sample(await scrape(), 'assay_subscription_connections');
    const stream = subscribe(app.url, FlagFeedDocument, {}, { authorization: `Bearer ${token}` });
    const refused = subscribe(app.url, FlagFeedDocument, {}, { authorization: 'Bearer not-a-token' });
    await stream.connected;
    await refused.closed;
    expect(sample(await scrape(), 'assay_subscription_connections')).toBe(before + 1);
    await stream.stop();
    await refused.stop();
    await until(async () => sample(await scrape(), 'assay_subscription_connections') === before, 5000, () => 'the closed connection to be counted off');
  });

  it('keeps client-chosen operation names from growing the series without bound', async () => {
    const names = Array.from({ length: 5 }, (_, i) => `Op${i}_${'x'.repeat(120)}`);
    for (const name of names) await app.gql(`query ${name} { __typename }`, {});
    const text = await scrape();
    for (const name of names) expect(text).not.toContain(name);
    expect(sample(text, 'assay_graphql_request_duration_seconds_count', { operation: 'other', outcome: 'ok' })).toBeGreaterThanOrEqual(5);
  });

  it('answers another host only with METRICS_TOKEN', async ({ skip }) => {
    const address = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    if (!address) {
      console.info('[metrics] this machine has no non-loopback IPv4 address: the remote-host refusal is not exercised');
      skip();
    }
    const open = await startTestApp({ HOST: '0.0.0.0' });
    const guarded = await startTestApp({ HOST: '0.0.0.0', METRICS_TOKEN });
    try {
      const remote = (a: TestApp) => `http://${address}:${new URL(a.url).port}/metrics`;
      expect((await fetch(remote(open))).status).toBe(403);
      expect((await fetch(remote(guarded))).status).toBe(401);
      expect((await fetch(remote(guarded), { headers: { authorization: 'Bearer wrong-token-of-some-length' } })).status).toBe(401);
      expect(await scrape(remote(guarded), { authorization: `Bearer ${METRICS_TOKEN}` })).toContain('assay_graphql_request_duration_seconds');
      expect((await fetch(metricsUrl(guarded.url))).status).toBe(401);
    } finally {
      await Promise.all([open.stop(), guarded.stop()]);
    }
  });
});

describe('the request log', () => {
  it('writes one line per request: id, operation, kind of caller, duration, statements, status; never the token', async () => {
    const served = await serveCli({ DATABASE_URL: app.db.url, JWT_SECRET: TEST_JWT_SECRET, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', JOBS_ENABLED: 'false' });
    try {
      const url = /Assay ready at (\S+)/.exec(served.output())![1].replace('localhost', '127.0.0.1');
      const gql = gqlClient(url);
      const login = await gql(LoginDocument, { email: 'teacher1@example.edu', password: 'assay-demo' });
      const token = login.data!.login.accessToken;
      await gql(MeDocument, {}, { token, headers: { 'x-request-id': 'log-line-test-1' } });
      await new Promise((r) => setTimeout(r, 300));
      const line = served
        .output()
        .split('\n')
        .map((l) => (l.startsWith('{') ? (JSON.parse(l) as Record<string, unknown>) : null))
        .find((l) => l?.requestId === 'log-line-test-1');
      expect(line).toMatchObject({ msg: 'graphql request', operation: 'Me', principal: 'token', status: 200, outcome: 'ok', statements: expect.any(Number), durationMs: expect.any(Number) });
      expect(served.output()).not.toContain(token);
    } finally {
      await served.stop();
    }
  });
});
