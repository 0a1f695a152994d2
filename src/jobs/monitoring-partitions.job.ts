import type { Config } from '../config';
import { ensureMonitoringPartitions } from '../services/monitoring/partitions';
import type { Job } from './job';

export const monitoringPartitionsJob = (config: Config): Job => ({
  name: 'monitoring-partitions',
  description: `Creates the month partitions of monitoring_events for this month and the next ${config.monitoring.partitionsAhead}`,
  schedule: config.jobs.schedules.monitoringPartitions,
  run: async ({ em }) => {
    const now = new Date();
    const created = await ensureMonitoringPartitions(em, now, now, config.monitoring.partitionsAhead);
    return { rowsAffected: created.length, details: { created } };
  },
});
