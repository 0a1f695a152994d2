import type { EntityManager } from '@mikro-orm/postgresql';

/** The first instant (UTC) of the month `offset` months after the one holding `at`. */
const monthStart = (at: Date, offset = 0) => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + offset, 1));

/** monitoring_events_p202612 holds events of attempts started in December 2026 (UTC). */
export const partitionName = (month: Date) =>
  `monitoring_events_p${month.getUTCFullYear()}${String(month.getUTCMonth() + 1).padStart(2, '0')}`;

/**
 * A statement that writes a partition directly fires only the partition's triggers: give
 * it the triggers that count its writes as writes of monitoring_events (migration
 * table_versions, which also covers partitions made before it ran).
 */
async function countWritesAsParent(em: EntityManager, partition: string): Promise<void> {
  const [{ tracked }] = await em.execute<{ tracked: boolean }[]>(`select to_regproc('assay_track_writes') is not null as tracked`);
  if (tracked) await em.execute(`select assay_track_writes(?::regclass, 'monitoring_events')`, [partition]);
}

/**
 * Creates the month partitions of monitoring_events from the month of `from` to `ahead`
 * months after the month of `until`, skipping those that exist. Each partition commits on
 * its own, with its triggers; concurrent callers are harmless (IF NOT EXISTS, CREATE OR
 * REPLACE TRIGGER). Returns the partitions made.
 */
export async function ensureMonitoringPartitions(em: EntityManager, from: Date, until: Date, ahead = 0): Promise<string[]> {
  const created: string[] = [];
  const last = monthStart(until, ahead);
  for (let month = monthStart(from); month <= last; month = monthStart(month, 1)) {
    const name = partitionName(month);
    const [{ exists }] = await em.execute<{ exists: boolean }[]>(`select to_regclass(?) is not null as exists`, [name]);
    if (exists) continue;
    await em.transactional(async (tx) => {
      await tx.execute(
        `create table if not exists ${name} partition of monitoring_events
           for values from ('${month.toISOString()}') to ('${monthStart(month, 1).toISOString()}')`,
      );
      await countWritesAsParent(tx, name);
    });
    created.push(name);
  }
  return created;
}

/** PostgreSQL's refusal of a row no partition takes. */
export const isMissingPartition = (error: unknown) =>
  error instanceof Error && /no partition of relation "monitoring_events" found/.test(error.message);

/** At start-up: this month's and next month's partitions, once the table exists (migrations may be pending). */
export async function ensureCurrentPartitions(em: EntityManager): Promise<string[]> {
  const [{ exists }] = await em.execute<{ exists: boolean }[]>(`select to_regclass('monitoring_events') is not null as exists`);
  if (!exists) return [];
  const now = new Date();
  return ensureMonitoringPartitions(em, now, now, 1);
}
