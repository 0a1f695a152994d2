import type { Config } from '../config';
import { purgeExpiredMetrics, purgeExpiredTrails } from '../services/retention.service';
import type { Job } from './job';

export const retentionJob = (config: Config): Job => ({
  name: 'retention',
  description:
    `Deletes LLM audit trails older than ${config.retention.llmTrailDays} days (or their project's retentionDays) and governance ` +
    `metric samples older than ${config.retention.metricsDays} days, ${config.retention.batchSize} rows per transaction`,
  schedule: config.jobs.schedules.retention,
  run: async ({ em, signal, audit }) => {
    const { batchSize } = config.retention;
    const trails = await purgeExpiredTrails(em, { defaultDays: config.retention.llmTrailDays, batchSize, signal, source: audit });
    const metrics = await purgeExpiredMetrics(em, { defaultDays: config.retention.metricsDays, batchSize, signal, source: audit });
    return {
      rowsAffected: trails.rowsAffected + metrics.rowsAffected,
      details: { ...trails.details, metrics: { deleted: metrics.rowsAffected, retentionDays: config.retention.metricsDays } },
    };
  },
});
