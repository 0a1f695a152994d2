import type { Config } from '../config';
import { compactTableVersions } from '../db/table-versions';
import type { Job } from './job';

export const tableVersionsJob = (config: Config): Job => ({
  name: 'table-versions',
  description: 'Folds the change counters of ended database connections into one row per table (the versions stay the same)',
  schedule: config.jobs.schedules.tableVersions,
  run: async ({ em }) => ({ rowsAffected: await compactTableVersions(em) }),
});
