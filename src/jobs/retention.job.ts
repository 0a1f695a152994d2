import type { Config } from '../config';
import { purgeExpiredTrails } from '../services/retention.service';
import type { Job } from './job';

export const retentionJob = (config: Config): Job => ({
  name: 'retention',
  description:
    `Deletes LLM audit trails older than ${config.retention.llmTrailDays} days (or their project's retentionDays), ` +
    `${config.retention.batchSize} rows per transaction`,
  schedule: config.jobs.schedules.retention,
  run: ({ em, signal, audit }) =>
    purgeExpiredTrails(em, { defaultDays: config.retention.llmTrailDays, batchSize: config.retention.batchSize, signal, source: audit }),
});
