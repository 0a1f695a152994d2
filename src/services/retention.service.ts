import type { EntityManager } from '@mikro-orm/postgresql';
import { AuditAction } from '../entities/audit-action';
import { appendAudit, type AuditSource } from './audit.service';

export interface RetentionOptions {
  defaultDays: number;
  batchSize: number;
  signal?: AbortSignal;
  source: AuditSource;
}

const DAY_MS = 86_400_000;

/**
 * Deletes trails older than their project's retention (or the default), one project at a
 * time and at most `batchSize` rows per transaction, so no statement holds many row locks
 * or runs long; rows another transaction is updating are skipped until the next run. Each
 * batch is audited in its own transaction.
 */
export async function purgeExpiredTrails(em: EntityManager, options: RetentionOptions) {
  const projects = await em.execute<{ id: string; days: number }[]>(
    `select id, coalesce(retention_days, ?) as days from projects order by id`,
    [options.defaultDays],
  );
  const deletedByProject: Record<string, number> = {};
  let total = 0;
  for (const project of projects) {
    const olderThan = new Date(Date.now() - project.days * DAY_MS);
    for (;;) {
      if (options.signal?.aborted) return { rowsAffected: total, details: { deletedByProject, interrupted: true } };
      const deleted = await em.transactional(async (tx) => {
        const [{ count }] = await tx.execute<{ count: string }[]>(
          `with gone as (
             delete from llm_audit_trails where id in (
               select id from llm_audit_trails where project_id = ? and called_at < ?
               order by called_at limit ? for update skip locked)
             returning 1)
           select count(*) as count from gone`,
          [project.id, olderThan, options.batchSize],
        );
        const n = Number(count);
        if (n > 0) {
          await appendAudit(tx, options.source, {
            action: AuditAction.RETENTION_PURGE,
            resourceType: 'Project',
            resourceId: project.id,
            details: { table: 'llm_audit_trails', deleted: n, olderThan: olderThan.toISOString(), retentionDays: project.days },
          });
        }
        return n;
      });
      if (deleted > 0) deletedByProject[project.id] = (deletedByProject[project.id] ?? 0) + deleted;
      total += deleted;
      if (deleted < options.batchSize) break;
    }
  }
  return { rowsAffected: total, details: { deletedByProject, defaultDays: options.defaultDays, batchSize: options.batchSize } };
}

/**
 * Deletes governance metric samples whose interval started more than `days` ago, at most
 * `batchSize` per transaction, each batch audited in its transaction. The history outlives
 * the rows it counts (LLM trails are kept 7 days by default), so it has its own setting.
 */
export async function purgeExpiredMetrics(em: EntityManager, options: RetentionOptions) {
  const olderThan = new Date(Date.now() - options.defaultDays * DAY_MS);
  let total = 0;
  for (;;) {
    if (options.signal?.aborted) return { rowsAffected: total, interrupted: true };
    const deleted = await em.transactional(async (tx) => {
      const [{ count }] = await tx.execute<{ count: string }[]>(
        `with gone as (
           delete from governance_metrics where id in (
             select id from governance_metrics where interval_start < ? order by interval_start limit ? for update skip locked)
           returning 1)
         select count(*) as count from gone`,
        [olderThan, options.batchSize],
      );
      const n = Number(count);
      if (n > 0) {
        await appendAudit(tx, options.source, {
          action: AuditAction.RETENTION_PURGE,
          details: { table: 'governance_metrics', deleted: n, olderThan: olderThan.toISOString(), retentionDays: options.defaultDays },
        });
      }
      return n;
    });
    total += deleted;
    if (deleted < options.batchSize) return { rowsAffected: total, olderThan: olderThan.toISOString() };
  }
}
