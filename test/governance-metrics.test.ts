import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test as base } from 'vitest';
import { ConfigError, loadConfig } from '../src/config';
import { JobRunStatus, JobTrigger } from '../src/entities/job-run.entity';
import { metricsSchedule } from '../src/jobs/governance-metrics.job';
import { findJob } from '../src/jobs/registry';
import { runJob } from '../src/jobs/runner';
import { METRICS_ORIGIN } from '../src/services/governance-metric.service';
import { Client } from 'pg';
import { GovernanceMetricSeriesDocument, StartWorkflowDocument, type MetricDimension } from './generated/graphql';
import { appPerFile, codeOf, type TestApp } from './support/app';
import { runCliOn } from './support/cli';
import { TEST_JWT_SECRET } from './support/constants';

/*
 * The governance metrics history (issue 17, part B) through HTTP and the CLI: who reads the
 * series, the job's one sample per interval, the series against the raw rows, and the CLI's
 * snapshot and CSV export.
 */

interface Tokens {
  admin: string;
  auditor: string;
  teacher: string;
  student: string;
}

type Sql = (text: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

const test = base.extend<{ app: TestApp; tokens: Tokens; sql: Sql }>({
  app: appPerFile,
  /** Parameterised SQL on the file's database, for raw rows to compare with. */
  sql: [
    async ({ app }, use) => {
      const client = new Client({ connectionString: app.db.url });
      await client.connect();
      await use(async (text, params) => (await client.query(text, params)).rows);
      await client.end();
    },
    { scope: 'file' },
  ],
  tokens: [
    async ({ app }, use) => {
      const [admin, auditor, teacher, student] = await Promise.all(['admin', 'auditor', 'teacher1', 'student1'].map((u) => app.login(`${u}@example.edu`)));
      await use({ admin, auditor, teacher, student });
    },
    { scope: 'file' },
  ],
});

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const ORIGIN = Date.parse(METRICS_ORIGIN);
const floorTo = (ms: number, stride: number) => ORIGIN + Math.floor((ms - ORIGIN) / stride) * stride;

const ALL = ['workflows_started', 'workflows_completed', 'workflows_failed', 'workflow_success_rate', 'llm_calls', 'llm_tokens', 'llm_cost', 'audit_entries', 'failed_logins'];

/** RFC 4180 records (CRLF line ends): quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (!quoted && c === ',') {
      record.push(field);
      field = '';
    } else if (!quoted && c === '\r' && text[i + 1] === '\n') {
      records.push([...record, field]);
      record = [];
      field = '';
      i++;
    } else {
      field += c;
    }
  }
  return records;
}

describe('governanceMetrics', () => {
  test('an auditor reads the demo series: daily totals and per-mode series, oldest first', async ({ app, tokens }) => {
    const to = new Date();
    const result = await app.gql(
      GovernanceMetricSeriesDocument,
      { names: ['llm_calls', 'workflow_success_rate'], from: new Date(to.getTime() - 30 * DAY_MS).toISOString(), to: to.toISOString(), dimensions: ['MODE'] },
      { token: tokens.auditor },
    );
    expect(result.errors).toBeUndefined();
    const series = result.data!.governanceMetrics;
    const total = series.find((s) => s.name === 'llm_calls' && s.dimension === null)!;
    expect(total.points.length).toBeGreaterThanOrEqual(27);
    expect(total.points.map((p) => p.at)).toEqual([...total.points.map((p) => p.at)].sort());
    expect(total.points.every((p) => new Date(p.at).getUTCHours() === 0)).toBe(true);
    const modes = series.filter((s) => s.name === 'llm_calls' && s.dimension === 'MODE').map((s) => s.dimensionValue);
    expect(modes).toEqual(expect.arrayContaining(['pilot', 'assist', 'review', 'autonomous', null]));
    const rates = series.find((s) => s.name === 'workflow_success_rate' && s.dimension === null)!;
    expect(rates.points.every((p) => p.value >= 0 && p.value <= 1)).toBe(true);
  });

  test('a teacher and a student are refused and get nothing; anonymous callers are asked to sign in', async ({ app, tokens }) => {
    const args = { names: ['llm_calls'], from: new Date(Date.now() - DAY_MS).toISOString(), to: new Date().toISOString() };
    for (const token of [tokens.teacher, tokens.student]) {
      const refused = await app.gql(GovernanceMetricSeriesDocument, args, { token });
      expect(codeOf(refused)).toBe('FORBIDDEN');
      expect(refused.data).toBeNull();
    }
    const anonymous = await app.gql(GovernanceMetricSeriesDocument, args);
    expect(codeOf(anonymous)).toBe('UNAUTHENTICATED');
    expect(anonymous.data).toBeNull();
  });

  test('refuses unknown names, an empty or reversed range and too many buckets', async ({ app, tokens }) => {
    const now = new Date().toISOString();
    const ago = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString();
    const cases = [
      { names: ['llm_calls', 'cpu_load'], from: ago(1), to: now },
      { names: [], from: ago(1), to: now },
      { names: ['llm_calls'], from: now, to: now },
      { names: ['llm_calls'], from: ago(60), to: now, interval: 'HOUR' as const },
    ];
    for (const variables of cases) {
      const result = await app.gql(GovernanceMetricSeriesDocument, variables, { token: tokens.admin });
      expect(codeOf(result), JSON.stringify(variables)).toBe('BAD_USER_INPUT');
    }
    const unknown = await app.gql(GovernanceMetricSeriesDocument, cases[0], { token: tokens.admin });
    expect(unknown.errors![0].message).toMatch(/"cpu_load"/);
  });

  test("the series' sums match the raw rows of a known window, by day and by mode", async ({ app, tokens, sql }) => {
    const to = new Date(floorTo(Date.now(), DAY_MS) - DAY_MS);
    const from = new Date(to.getTime() - 5 * DAY_MS);
    const result = await app.gql(
      GovernanceMetricSeriesDocument,
      { names: ALL, from: from.toISOString(), to: to.toISOString(), dimensions: ['MODE', 'WORKFLOW', 'PROJECT'] },
      { token: tokens.auditor },
    );
    expect(result.errors).toBeUndefined();
    const series = result.data!.governanceMetrics;
    const sum = (name: string, dimension: MetricDimension | null = null, value: string | null = null) =>
      series.filter((s) => s.name === name && s.dimension === dimension && s.dimensionValue === value).flatMap((s) => s.points).reduce((a, p) => a + p.value, 0);
    const [raw] = await sql(
      `select (select count(*) from workflow_executions where started_at >= $1 and started_at < $2) as started,
              (select count(*) from workflow_executions where status = 'COMPLETED' and completed_at >= $1 and completed_at < $2) as completed,
              (select count(*) from workflow_executions where status in ('FAILED', 'CANCELLED') and completed_at >= $1 and completed_at < $2) as failed,
              (select count(*) from llm_audit_trails where called_at >= $1 and called_at < $2) as calls,
              (select coalesce(sum(total_tokens), 0) from llm_audit_trails where called_at >= $1 and called_at < $2) as tokens,
              (select coalesce(sum(total_cost), 0) from llm_audit_trails where called_at >= $1 and called_at < $2) as cost,
              (select count(*) from audit_logs where created_at >= $1 and created_at < $2) as audit,
              (select count(*) from audit_logs where action = 'LOGIN_FAILED' and created_at >= $1 and created_at < $2) as failed_logins`,
      [from, to],
    );
    expect(Number(raw.calls)).toBeGreaterThan(0);
    expect(Number(raw.started)).toBeGreaterThan(0);
    expect(sum('workflows_started')).toBe(Number(raw.started));
    expect(sum('workflows_completed')).toBe(Number(raw.completed));
    expect(sum('workflows_failed')).toBe(Number(raw.failed));
    expect(sum('llm_calls')).toBe(Number(raw.calls));
    expect(sum('llm_tokens')).toBe(Number(raw.tokens));
    expect(sum('llm_cost')).toBeCloseTo(Number(raw.cost), 8);
    expect(sum('audit_entries')).toBe(Number(raw.audit));
    expect(sum('failed_logins')).toBe(Number(raw.failed_logins));

    const byMode = await sql(
      `select coalesce(m.key, '') as key, count(*) as n from llm_audit_trails t left join governance_modes m on m.id = t.mode_id
        where t.called_at >= $1 and t.called_at < $2 group by 1`,
      [from, to],
    );
    for (const row of byMode) expect(sum('llm_calls', 'MODE', row.key === '' ? null : (row.key as string))).toBe(Number(row.n));
    const byWorkflow = await sql(`select workflow_name, count(*) as n from workflow_executions where started_at >= $1 and started_at < $2 group by 1`, [from, to]);
    for (const row of byWorkflow) expect(sum('workflows_started', 'WORKFLOW', row.workflow_name as string)).toBe(Number(row.n));

    const daily = await sql(
      `select date_bin('1 day', completed_at, $3) as at, count(*) filter (where status = 'COMPLETED')::float8 / count(*) as rate
         from workflow_executions where status in ('COMPLETED', 'FAILED', 'CANCELLED') and completed_at >= $1 and completed_at < $2 group by 1 order by 1`,
      [from, to, METRICS_ORIGIN],
    );
    const rates = series.find((s) => s.name === 'workflow_success_rate' && s.dimension === null)!.points;
    expect(rates.map((p) => [new Date(p.at).getTime(), p.value])).toEqual(daily.map((r) => [new Date(r.at as string).getTime(), r.rate]));
  });
});

describe('the governance-metrics job', () => {
  test('a sample job run twice in one interval writes one sample', async ({ app, sql }) => {
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: app.db.url, JWT_SECRET: TEST_JWT_SECRET });
    const lastInterval = new Date(floorTo(Date.now(), HOUR_MS) - HOUR_MS);
    // The seed sampled up to the hour it ran in: forget the last interval so the job has it to do.
    await sql(`delete from governance_metrics where interval_start >= $1`, [lastInterval]);
    const job = findJob(config, 'governance-metrics');
    const orm = app.assay.database.orm;
    const first = (await runJob(orm, config, job, JobTrigger.CLI))!;
    const second = (await runJob(orm, config, job, JobTrigger.CLI))!;
    expect(first.status).toBe(JobRunStatus.SUCCEEDED);
    expect(first.rowsAffected).toBeGreaterThanOrEqual(8);
    expect(second).toMatchObject({ status: JobRunStatus.SUCCEEDED, rowsAffected: 0 });
    const rows = await sql(`select name, interval_start, interval_end from governance_metrics where dimension = '' and interval_start >= $1`, [lastInterval]);
    expect(rows.filter((r) => r.name === 'workflows_started').map((r) => [new Date(r.interval_start as string).getTime(), new Date(r.interval_end as string).getTime()])).toEqual([
      [lastInterval.getTime(), lastInterval.getTime() + HOUR_MS],
    ]);
    // The database holds the line too, whoever writes.
    await expect(
      sql(`insert into governance_metrics (name, interval_start, interval_end, value) values ('llm_calls', $1, $2, 1)`, [lastInterval, new Date(lastInterval.getTime() + HOUR_MS)]),
    ).rejects.toThrow(/governance_metrics_sample_unique/);
  });
});

describe('GOVERNANCE_METRICS_INTERVAL', () => {
  test('takes intervals that divide an hour or a day, and the job runs a minute after each ends', () => {
    const interval = (value?: string) => loadConfig({ GOVERNANCE_METRICS_INTERVAL: value }, { signsTokens: false }).governanceMetricsIntervalSeconds;
    expect([interval(), interval('15m'), interval('6h'), interval('1d')]).toEqual([3600, 900, 21_600, 86_400]);
    expect([900, 3600, 21_600, 86_400].map(metricsSchedule)).toEqual(['1,16,31,46 * * * *', '1 * * * *', '1 0,6,12,18 * * *', '1 0 * * *']);
    for (const bad of ['7m', '90m', '5h', '2d', '1m', 'hourly']) expect(() => interval(bad), bad).toThrow(ConfigError);
  });
});

describe('retention', () => {
  test('the retention job deletes samples older than GOVERNANCE_METRICS_RETENTION_DAYS, audited', async ({ app, sql }) => {
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: app.db.url, JWT_SECRET: TEST_JWT_SECRET, GOVERNANCE_METRICS_RETENTION_DAYS: '400' });
    await sql(
      `insert into governance_metrics (name, interval_start, interval_end, value)
       values ('llm_calls', now() - interval '401 days', now() - interval '401 days' + interval '1 hour', 3),
              ('llm_calls', now() - interval '399 days', now() - interval '399 days' + interval '1 hour', 4)`,
    );
    const run = (await runJob(app.assay.database.orm, config, findJob(config, 'retention'), JobTrigger.CLI))!;
    expect(run.status).toBe(JobRunStatus.SUCCEEDED);
    expect(run.details).toMatchObject({ metrics: { deleted: 1, retentionDays: 400 } });
    const left = await sql(`select value::int as value from governance_metrics where interval_start < now() - interval '300 days'`);
    expect(left).toEqual([{ value: 4 }]);
    const [entry] = await sql(`select details from audit_logs where action = 'RETENTION_PURGE' and details->>'table' = 'governance_metrics'`);
    expect(entry.details).toMatchObject({ table: 'governance_metrics', deleted: 1, retentionDays: 400 });
  });
});

describe('assay metrics', () => {
  test('snapshot samples up to now and prints it; export writes the samples as CSV that reads back the same', async ({ app, tokens, sql }) => {
    const started = await app.gql(StartWorkflowDocument, { input: { workflowName: 'metrics-snapshot' } }, { token: tokens.admin });
    expect(started.errors).toBeUndefined();
    const snapshot = await runCliOn(app.db.url, ['metrics', 'snapshot']);
    expect(snapshot.stderr).toBe('');
    expect(snapshot.code).toBe(0);
    expect(snapshot.stdout).toMatch(/ workflows_started workflow=metrics-snapshot 1\n/);
    const written = Number(/Wrote (\d+) sample\(s\)/.exec(snapshot.stdout)![1]);
    expect(written).toBeGreaterThanOrEqual(9);
    expect((await runCliOn(app.db.url, ['metrics', 'snapshot'])).stdout).toMatch(/Nothing to sample|Wrote \d+ sample/);

    // A dimension value that needs quoting (the database does not check workflow names).
    await sql(
      `insert into governance_metrics (name, dimension, dimension_value, interval_start, interval_end, value)
       values ('workflows_started', 'workflow', 'odd, "quoted"
name', '2001-01-01T00:00:00Z', '2001-01-01T01:00:00Z', 2)`,
    );
    const dir = await mkdtemp(path.join(os.tmpdir(), 'assay-metrics-'));
    try {
      const file = path.join(dir, 'metrics.csv');
      const from = '2001-01-01T00:00:00Z';
      const to = new Date(Date.now() + HOUR_MS).toISOString();
      const exported = await runCliOn(app.db.url, ['metrics', 'export', '--from', from, '--to', to, '--output', file]);
      expect(exported.code).toBe(0);
      const [header, ...records] = parseCsv(await readFile(file, 'utf8'));
      expect(header).toEqual(['metric', 'dimension', 'dimension_value', 'interval_start', 'interval_end', 'value']);
      const rows = await sql(
        `select name, dimension, dimension_value, interval_start, interval_end, trim_scale(value)::text as value from governance_metrics
          where interval_start >= $1 and interval_start < $2 order by interval_start, name, dimension, dimension_value`,
        [from, to],
      );
      expect(exported.stdout).toContain(`Wrote ${rows.length} sample(s) to ${file}`);
      expect(records).toEqual(
        rows.map((r) => [r.name, r.dimension, r.dimension_value, new Date(r.interval_start as string).toISOString(), new Date(r.interval_end as string).toISOString(), r.value]),
      );
      expect(records[0]).toEqual(['workflows_started', 'workflow', 'odd, "quoted"\nname', '2001-01-01T00:00:00.000Z', '2001-01-01T01:00:00.000Z', '2']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('both commands are in --help', async () => {
    const help = await runCliOn('postgres://unused@127.0.0.1/x', ['metrics', '--help']);
    expect(help.stdout).toMatch(/snapshot/);
    expect(help.stdout).toMatch(/export/);
  });
});
