import type { Config } from '../config';
import { reportEndedEpisodes } from '../services/rate-limit-episodes.service';
import type { Job } from './job';

export const rateLimitReportJob = (config: Config): Job => ({
  name: 'rate-limit-report',
  description: 'Writes one RATE_LIMIT_ENDED audit entry, with the count of refused attempts, per login or registration limit whose window ended',
  schedule: config.jobs.schedules.rateLimitReport,
  run: async ({ em, signal, audit }) => ({ rowsAffected: await reportEndedEpisodes(em, audit, config.retention.batchSize, signal) }),
});
