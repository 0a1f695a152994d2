import type { MikroORM } from '@mikro-orm/postgresql';
import { Cron } from 'croner';
import type { Config } from '../config';
import { JobTrigger } from '../entities/job-run.entity';
import { logger } from '../logger';
import type { Job } from './job';
import { runJob } from './runner';

export interface Scheduler {
  /** Stops future runs, asks running jobs to stop between batches, and waits for them. */
  stop(): Promise<void>;
}

/**
 * The one scheduler of an instance (croner). Every instance runs it; the advisory lock
 * in runJob lets one of them do each run. `protect` skips a tick while the previous run
 * of the same job is still going in this process.
 */
export function startScheduler(orm: MikroORM, config: Config, jobs: Job[]): Scheduler {
  const controller = new AbortController();
  const running = new Set<Promise<void>>();
  const scheduled = jobs.filter((job): job is Job & { schedule: string } => job.schedule !== null);
  const crons = scheduled.map(
    (job) =>
      new Cron(job.schedule, { protect: true }, async () => {
        const run = runJob(orm, config, job, JobTrigger.SCHEDULE, controller.signal).then(
          () => undefined,
          (error: unknown) => logger.error({ err: error, job: job.name }, 'job could not run'),
        );
        running.add(run);
        await run;
        running.delete(run);
      }),
  );
  logger.info({ jobs: scheduled.map((j) => ({ name: j.name, schedule: j.schedule })), off: jobs.filter((j) => j.schedule === null).map((j) => j.name) }, 'scheduler started');
  return {
    stop: async () => {
      for (const cron of crons) cron.stop();
      controller.abort();
      await Promise.allSettled([...running]);
    },
  };
}
