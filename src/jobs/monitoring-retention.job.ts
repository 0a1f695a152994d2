import type { Config } from '../config';
import { applyMonitoringRetention } from '../services/monitoring/retention.service';
import type { Job } from './job';

export const monitoringRetentionJob = (config: Config): Job => ({
  name: 'monitoring-retention',
  description: `Archives monitoring-event partitions older than ${config.monitoring.retentionDays} days to ${config.monitoring.archiveDir}, then drops them`,
  schedule: config.jobs.schedules.monitoringRetention,
  run: async ({ em, audit }) => {
    const outcomes = await applyMonitoringRetention(em, {
      retentionDays: config.monitoring.retentionDays,
      archiveDir: config.monitoring.archiveDir,
      drop: true,
      dryRun: false,
      source: audit,
    });
    const dropped = outcomes.filter((o) => o.action === 'dropped');
    return { rowsAffected: dropped.reduce((n, o) => n + o.rows, 0), details: { partitions: outcomes } };
  },
});
