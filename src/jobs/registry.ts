import type { Config } from '../config';
import type { Job } from './job';
import { analyticsViewsJob } from './analytics-views.job';
import { backupJob } from './backup.job';
import { governanceMetricsJob } from './governance-metrics.job';
import { monitoringPartitionsJob } from './monitoring-partitions.job';
import { monitoringRetentionJob } from './monitoring-retention.job';
import { rateLimitReportJob } from './rate-limit-report.job';
import { retentionJob } from './retention.job';
import { tableVersionsJob } from './table-versions.job';

/**
 * Every scheduled job. Capabilities that bring partitioned tables or materialized views
 * add their upkeep and refresh jobs to this list; the scheduler, the advisory lock, the
 * job_runs record and `assay jobs run` then apply to them unchanged.
 */
export const scheduledJobs = (config: Config): Job[] => [retentionJob(config), rateLimitReportJob(config), monitoringPartitionsJob(config), analyticsViewsJob(config), monitoringRetentionJob(config), tableVersionsJob(config), backupJob(config), governanceMetricsJob(config)];

export function findJob(config: Config, name: string): Job {
  const jobs = scheduledJobs(config);
  const job = jobs.find((j) => j.name === name);
  if (!job) throw new Error(`unknown job "${name}"; jobs: ${jobs.map((j) => j.name).join(', ')}`);
  return job;
}
