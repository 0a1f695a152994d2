import type { Config } from '../config';
import { refreshAnalyticsViews } from '../services/analytics/views';
import type { Job } from './job';

export const analyticsViewsJob = (config: Config): Job => ({
  name: 'analytics-views',
  description: 'Refreshes the exam_performance_summary and student_risk_summary views (CONCURRENTLY)',
  schedule: config.jobs.schedules.analyticsViews,
  run: async ({ em }) => {
    const views = await refreshAnalyticsViews(em);
    return { rowsAffected: 0, details: { views: views.map((v) => ({ name: v.name, durationMs: v.durationMs })) } };
  },
});
