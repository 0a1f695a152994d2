import type { EntityManager } from '@mikro-orm/postgresql';
import { noteWrite } from '../../db/table-versions';

export const ANALYTICS_VIEWS = ['exam_performance_summary', 'student_risk_summary'] as const;
export type AnalyticsView = (typeof ANALYTICS_VIEWS)[number];

export interface ViewRefresh {
  name: AnalyticsView;
  refreshedAt: Date;
  durationMs: number;
}

/**
 * Refreshes each analytics view CONCURRENTLY (readers keep the previous contents until the
 * new ones are in) and records when and how long, in one transaction per view with the
 * change counted against the view (no trigger sees a refresh). Two refreshes of one view take turns.
 */
export async function refreshAnalyticsViews(em: EntityManager): Promise<ViewRefresh[]> {
  const done: ViewRefresh[] = [];
  for (const name of ANALYTICS_VIEWS) {
    done.push(
      await em.transactional(async (tx) => {
        const started = performance.now();
        await tx.execute(`refresh materialized view concurrently ${name}`);
        await noteWrite(tx, name);
        const durationMs = Math.round(performance.now() - started);
        const [row] = await tx.execute<{ refreshed_at: string }[]>(
          `update analytics_view_refreshes set refreshed_at = now(), duration_ms = ? where view_name = ? returning refreshed_at`,
          [durationMs, name],
        );
        return { name, refreshedAt: new Date(row.refreshed_at), durationMs };
      }),
    );
  }
  return done;
}

/** When the view was last refreshed. */
export async function lastRefresh(em: EntityManager, name: AnalyticsView): Promise<Date> {
  const [row] = await em.execute<{ refreshed_at: string }[]>(`select refreshed_at from analytics_view_refreshes where view_name = ?`, [name]);
  return new Date(row.refreshed_at);
}
