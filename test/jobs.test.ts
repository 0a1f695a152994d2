import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../src/config';
import { JobRunStatus, JobTrigger } from '../src/entities/job-run.entity';
import type { Job } from '../src/jobs/job';
import { scheduledJobs } from '../src/jobs/registry';
import { runJob } from '../src/jobs/runner';
import { startScheduler } from '../src/jobs/scheduler';
import { AuditLogPageDocument, CreateProjectDocument, JobRunsDocument, VerifyAuditChainDocument } from './generated/graphql';
import { codeOf, startTestApp, type TestApp } from './support/app';
import { runCliOn } from './support/cli';
import { TEST_JWT_SECRET } from './support/constants';

let app: TestApp;
let admin: string;
let config: Config;
let sql: Client;

beforeAll(async () => {
  app = await startTestApp({ RETENTION_BATCH_SIZE: '3' });
  admin = await app.login('admin@example.edu');
  config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: app.db.url, JWT_SECRET: TEST_JWT_SECRET, RETENTION_BATCH_SIZE: '3' });
  sql = new Client({ connectionString: app.db.url });
  await sql.connect();
});
afterAll(async () => {
  await sql?.end();
  await app?.stop();
});

const orm = () => app.assay.database.orm;
const retention = () => scheduledJobs(config).find((j) => j.name === 'retention')!;
const testJob = (name: string, run: Job['run']): Job => ({ name, description: 'test', schedule: '0 0 1 1 *', run });

async function project(name: string, retentionDays?: number) {
  const created = await app.gql(CreateProjectDocument, { input: { name, retentionDays } }, { token: admin });
  return created.data!.createProject.id;
}

/** Trails `daysOld` days old, inserted directly: quicker than recordLlmCall for many rows. */
async function trails(projectId: string, count: number, daysOld: number) {
  await sql.query(
    `insert into llm_audit_trails (id, message_id, project_id, model, called_at)
     select gen_random_uuid(), 'ret-' || gen_random_uuid(), $1, 'm', now() - make_interval(days => $2) from generate_series(1, $3)`,
    [projectId, daysOld, count],
  );
}
const left = async (projectId: string) => Number((await sql.query(`select count(*) from llm_audit_trails where project_id = $1`, [projectId])).rows[0].count);

describe('retention', () => {
  it('deletes expired trails in batches, honours per-project retention, audits each batch and records the run', async () => {
    const short = await project('Retention default');
    const long = await project('Retention 30 days', 30);
    await trails(short, 7, 10);
    await trails(short, 2, 1);
    await trails(long, 3, 10);

    const run = (await runJob(orm(), config, retention(), JobTrigger.CLI))!;
    expect(run).toMatchObject({ status: JobRunStatus.SUCCEEDED, rowsAffected: 7, trigger: JobTrigger.CLI, error: null });
    expect(run.details).toMatchObject({ deletedByProject: { [short]: 7 }, batchSize: 3, defaultDays: 7 });
    expect(await left(short)).toBe(2);
    expect(await left(long)).toBe(3);

    const purges = await app.gql(AuditLogPageDocument, { filter: { action: 'RETENTION_PURGE', resourceId: short } }, { token: admin });
    expect(purges.data!.auditLogs.edges.map((e) => e.node.details.deleted)).toEqual([1, 3, 3]);
    expect(purges.data!.auditLogs.edges[0].node.actorKind).toBe('SYSTEM');
    expect((await app.gql(VerifyAuditChainDocument, {}, { token: admin })).data!.verifyAuditLog.intact).toBe(true);

    const again = (await runJob(orm(), config, retention(), JobTrigger.CLI))!;
    expect(again.rowsAffected).toBe(0);
  });

  it('runs once from the CLI and records the run', async () => {
    const id = await project('Retention CLI');
    await trails(id, 4, 8);
    const result = await runCliOn(app.db.url, ['jobs', 'run', 'retention'], { RETENTION_BATCH_SIZE: '3' });
    expect(result.stdout).toMatch(/Job retention SUCCEEDED in \d+ ms: 4 row\(s\) affected/);
    expect(result.code).toBe(0);
    expect(await left(id)).toBe(0);
    const unknown = await runCliOn(app.db.url, ['jobs', 'run', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/unknown job "nope"; jobs: retention, rate-limit-report, monitoring-partitions, analytics-views, monitoring-retention/);
  }, 60_000);
});

describe('job runner', () => {
  it('lets one instance run a job at a time (advisory lock)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const slow = testJob('test-slow', async () => {
      started();
      await gate;
      return { rowsAffected: 1 };
    });
    const first = runJob(orm(), config, slow, JobTrigger.SCHEDULE);
    await running;
    expect(await runJob(orm(), config, slow, JobTrigger.SCHEDULE)).toBeNull();
    release();
    expect((await first)!.status).toBe(JobRunStatus.SUCCEEDED);
    expect((await runJob(orm(), config, slow, JobTrigger.SCHEDULE))!.status).toBe(JobRunStatus.SUCCEEDED);
  });

  it('records a failing run with its error, and marks runs of dead instances as interrupted', async () => {
    await sql.query(
      `insert into job_runs (id, job_name, trigger, instance, status, started_at) values (gen_random_uuid(), 'test-failing', 'SCHEDULE', 'gone:1', 'RUNNING', now() - interval '1 hour')`,
    );
    const failing = testJob('test-failing', async () => {
      throw new Error('disk full');
    });
    const run = (await runJob(orm(), config, failing, JobTrigger.CLI))!;
    expect(run).toMatchObject({ status: JobRunStatus.FAILED, error: 'disk full', rowsAffected: null });
    expect(run.finishedAt).toBeInstanceOf(Date);
    const { rows } = await sql.query(`select instance, status, error from job_runs where job_name = 'test-failing' order by started_at`);
    expect(rows[0]).toMatchObject({ instance: 'gone:1', status: 'FAILED', error: expect.stringMatching(/interrupted/) });
  });

  it('is refused by the database when a run is recorded inconsistently', async () => {
    await expect(
      sql.query(`insert into job_runs (id, job_name, trigger, instance, status, started_at, finished_at) values (gen_random_uuid(), 'x', 'CLI', 'i', 'FAILED', now(), now())`),
    ).rejects.toThrow(/job_runs_error_check/);
    await expect(
      sql.query(`insert into job_runs (id, job_name, trigger, instance, status, started_at, rows_affected) values (gen_random_uuid(), 'x', 'CLI', 'i', 'RUNNING', now(), -1)`),
    ).rejects.toThrow(/job_runs_rows_check/);
  });
});

describe('scheduler', () => {
  it('runs jobs on their cron schedule until stopped, and waits for a running job', async () => {
    let runs = 0;
    const everySecond = { ...testJob('test-ticking', async ({ signal }) => {
      runs += 1;
      await new Promise((r) => setTimeout(r, 200));
      return { rowsAffected: 0, details: { aborted: signal.aborted } };
    }), schedule: '* * * * * *' };
    const scheduler = startScheduler(orm(), config, [everySecond]);
    const deadline = Date.now() + 10_000;
    while (runs < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await scheduler.stop();
    const stoppedAt = runs;
    expect(stoppedAt).toBeGreaterThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 1500));
    expect(runs).toBe(stoppedAt);
    const { rows } = await sql.query(`select status, trigger from job_runs where job_name = 'test-ticking'`);
    expect(rows.length).toBe(stoppedAt);
    expect(rows.every((r) => r.status === 'SUCCEEDED' && r.trigger === 'SCHEDULE')).toBe(true);
  });

  it('is started by the server when JOBS_ENABLED is true', async () => {
    const scheduled = await startTestApp({ JOBS_ENABLED: 'true', JOB_RETENTION_SCHEDULE: '* * * * * *' });
    const probe = new Client({ connectionString: scheduled.db.url });
    await probe.connect();
    try {
      const deadline = Date.now() + 10_000;
      let count = 0;
      while (count === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        count = Number((await probe.query(`select count(*) from job_runs where job_name = 'retention' and trigger = 'SCHEDULE'`)).rows[0].count);
      }
      expect(count).toBeGreaterThan(0);
    } finally {
      await probe.end();
      await scheduled.stop();
    }
  }, 60_000);
});

describe('jobRuns', () => {
  it('lists runs newest first for admins, filtered by job', async () => {
    const result = await app.gql(JobRunsDocument, { jobName: 'retention', first: 2 }, { token: admin });
    expect(result.errors).toBeUndefined();
    const runs = result.data!.jobRuns;
    expect(runs.totalCount).toBeGreaterThanOrEqual(3);
    expect(runs.edges.every((e) => e.node.jobName === 'retention' && e.node.status === 'SUCCEEDED')).toBe(true);
    expect(new Date(runs.edges[0].node.startedAt) >= new Date(runs.edges[1].node.startedAt)).toBe(true);
    expect(runs.pageInfo.hasNextPage).toBe(true);
  });

  it('is for admins only', async () => {
    for (const email of ['auditor@example.edu', 'teacher1@example.edu', 'student1@example.edu']) {
      const result = await app.gql(JobRunsDocument, {}, { token: await app.login(email) });
      expect(codeOf(result)).toBe('FORBIDDEN');
      expect(result.data).toBeNull();
    }
  });
});
