import os from 'node:os';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Client } from 'pg';
import type { Config } from '../config';
import { JobRun, JobRunStatus, JobTrigger } from '../entities/job-run.entity';
import { logger } from '../logger';
import { systemSource } from '../services/audit.service';
import type { Job } from './job';

const INSTANCE = `${os.hostname()}:${process.pid}`.slice(0, 200);
const LOCK = `hashtext('assay:jobs'), hashtext($1)`;

/** The part of knex's client that pins one pooled connection (knex types its client loosely). */
interface PinnedConnections {
  acquireConnection(): Promise<Client>;
  releaseConnection(connection: Client): Promise<void>;
}

/**
 * Runs a job once if no other instance is running it, and records the run. The
 * session-level advisory lock lives on one pinned connection for the whole run (and
 * dies with it if this process does), while the job's own work uses other connections
 * and short transactions. Returns null when another instance holds the lock; a failing
 * job is recorded as FAILED and returned, not thrown.
 */
export async function runJob(orm: MikroORM, config: Config, job: Job, trigger: JobTrigger, signal?: AbortSignal): Promise<JobRun | null> {
  const pool = orm.em.getKnex().client as PinnedConnections;
  const connection = await pool.acquireConnection();
  try {
    const { rows } = await connection.query<{ locked: boolean }>(`select pg_try_advisory_lock(${LOCK}) as locked`, [job.name]);
    if (!rows[0].locked) {
      logger.debug({ job: job.name }, 'job is running on another instance; skipped');
      return null;
    }
    try {
      return await runLocked(orm, config, job, trigger, signal ?? new AbortController().signal);
    } finally {
      await connection.query(`select pg_advisory_unlock(${LOCK})`, [job.name]);
    }
  } finally {
    await pool.releaseConnection(connection);
  }
}

async function runLocked(orm: MikroORM, config: Config, job: Job, trigger: JobTrigger, signal: AbortSignal): Promise<JobRun> {
  const em = orm.em.fork();
  // Holding the lock, any RUNNING row of this job belongs to an instance that died mid-run.
  await em.nativeUpdate(
    JobRun,
    { jobName: job.name, status: JobRunStatus.RUNNING },
    { status: JobRunStatus.FAILED, finishedAt: new Date(), error: 'interrupted: the instance running it stopped' },
  );
  const run = em.create(JobRun, { jobName: job.name, trigger, instance: INSTANCE, status: JobRunStatus.RUNNING, startedAt: new Date() });
  await em.flush();
  logger.info({ job: job.name, trigger, runId: run.id }, 'job started');
  try {
    const result = await job.run({ em: orm.em.fork(), config, signal, audit: systemSource(`job ${job.name} (${trigger.toLowerCase()})`) });
    Object.assign(run, { status: JobRunStatus.SUCCEEDED, rowsAffected: result.rowsAffected, details: result.details ?? {} });
  } catch (error) {
    logger.error({ err: error, job: job.name, runId: run.id }, 'job failed');
    Object.assign(run, { status: JobRunStatus.FAILED, error: (error instanceof Error ? error.message : String(error)).slice(0, 2000) || 'failed' });
  }
  run.finishedAt = new Date(Math.max(Date.now(), run.startedAt.getTime()));
  await em.flush();
  logger.info({ job: job.name, runId: run.id, status: run.status, rowsAffected: run.rowsAffected }, 'job finished');
  return run;
}
