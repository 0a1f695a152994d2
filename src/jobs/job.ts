import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import type { AuditSource } from '../services/audit.service';

export interface JobContext {
  /** A fresh EntityManager for this run. */
  em: EntityManager;
  config: Config;
  /** Aborted when the scheduler stops: a job stops between batches. */
  signal: AbortSignal;
  /** Who the job's audit entries name. */
  audit: AuditSource;
}

export interface JobResult {
  rowsAffected: number;
  details?: Record<string, unknown>;
}

export interface Job {
  /** What `assay jobs run <name>` and job_runs call it. */
  name: string;
  description: string;
  /** A cron pattern (croner syntax); null when switched off, so it runs only through `assay jobs run`. */
  schedule: string | null;
  run(ctx: JobContext): Promise<JobResult>;
}
