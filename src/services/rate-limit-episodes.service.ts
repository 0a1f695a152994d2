import type { EntityManager } from '@mikro-orm/postgresql';
import type { Refusal } from '../auth/login-limiter';
import { AuditAction } from '../entities/audit-action';
import { appendAudit, type AuditSource } from './audit.service';
import { loginsRateLimited } from '../metrics/metrics';

/**
 * Counts a refused attempt in its limit's open episode, in one statement. The attempt that
 * opens the episode also writes one RATE_LIMITED audit entry, in the same transaction; the
 * rest are only counted, so a flood of refused attempts cannot grow the audit log. A spell
 * that runs on before the last one was reported stays one episode (its end moves).
 */
export async function recordRefusal(em: EntityManager, refusal: Refusal, source: AuditSource): Promise<void> {
  loginsRateLimited.inc({ limit: refusal.limit });
  await em.transactional(async (tx) => {
    const [row] = await tx.execute<{ opened: boolean }[]>(
      `insert into rate_limit_episodes (limit_name, key, subject, ends_at)
       values (?, ?, ?, ?)
       on conflict (limit_name, key) where reported_at is null
       do update set refused = rate_limit_episodes.refused + 1, ends_at = greatest(rate_limit_episodes.ends_at, excluded.ends_at)
       returning (xmax = 0) as opened`,
      [refusal.limit, refusal.key, refusal.subject, refusal.endsAt],
    );
    if (!row.opened) return;
    await appendAudit(tx, source, {
      action: AuditAction.RATE_LIMITED,
      resourceType: null,
      resourceId: null,
      details: { limit: refusal.limit, subject: refusal.subject, until: refusal.endsAt.toISOString() },
    });
  });
}

interface EndedEpisode {
  limit_name: string;
  subject: string;
  started_at: Date;
  ends_at: Date;
  refused: number;
}

/** Writes one RATE_LIMIT_ENDED entry, with the count of refused attempts, per episode whose window has ended. */
export async function reportEndedEpisodes(em: EntityManager, source: AuditSource, batchSize: number, signal: AbortSignal): Promise<number> {
  let reported = 0;
  while (!signal.aborted) {
    const batch = await em.transactional(async (tx) => {
      const rows = await tx.execute<EndedEpisode[]>(
        `update rate_limit_episodes set reported_at = now()
         where id in (select id from rate_limit_episodes where reported_at is null and ends_at <= now()
                      order by ends_at limit ? for update skip locked)
         returning limit_name, subject, started_at, ends_at, refused`,
        [batchSize],
      );
      for (const row of rows) {
        await appendAudit(tx, source, {
          action: AuditAction.RATE_LIMIT_ENDED,
          resourceType: null,
          resourceId: null,
          details: {
            limit: row.limit_name,
            subject: row.subject,
            from: new Date(row.started_at).toISOString(),
            to: new Date(row.ends_at).toISOString(),
            refused: Number(row.refused),
          },
        });
      }
      return rows.length;
    });
    reported += batch;
    if (batch < batchSize) break;
  }
  return reported;
}
