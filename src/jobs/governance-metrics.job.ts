import type { Config } from '../config';
import { appendGovernanceMetrics } from '../services/governance-metric.service';
import type { Job } from './job';

/**
 * A cron pattern one minute after each interval ends (intervals divide an hour or a day, see
 * config), so writes committed just after the boundary are usually in. A run that is late or
 * missed costs nothing: the next one continues from the last sample.
 */
export function metricsSchedule(intervalSeconds: number): string {
  const minutes = intervalSeconds / 60;
  if (minutes < 60) return `${Array.from({ length: 60 / minutes }, (_, i) => 1 + i * minutes).join(',')} * * * *`;
  const hours = minutes / 60;
  return hours === 1 ? '1 * * * *' : `1 ${Array.from({ length: 24 / hours }, (_, i) => i * hours).join(',')} * * *`;
}

export const governanceMetricsJob = (config: Config): Job => ({
  name: 'governance-metrics',
  description:
    `Appends governance metric samples for each ${config.governanceMetricsIntervalSeconds / 60}-minute interval that ended ` +
    'since the last sample (GOVERNANCE_METRICS_INTERVAL), from the live workflow, LLM call and audit tables',
  schedule: metricsSchedule(config.governanceMetricsIntervalSeconds),
  run: async ({ em }) => {
    const samples = await appendGovernanceMetrics(em, { strideSeconds: config.governanceMetricsIntervalSeconds, until: 'interval' });
    const starts = samples.map((s) => s.intervalStart.getTime());
    return {
      rowsAffected: samples.length,
      details: samples.length ? { from: new Date(Math.min(...starts)).toISOString(), to: new Date(Math.max(...samples.map((s) => s.intervalEnd.getTime()))).toISOString() } : {},
    };
  },
});
