import { Client } from 'pg';
import { until } from './subscriptions';

/** The audit chain's advisory lock: every audited write takes it last, after its own rows. */
export const AUDIT_CHAIN = `select pg_advisory_xact_lock(hashtext('assay:audit-chain'))`;

/** A lock held by the test, so that a write taking it late is caught between its statements. */
export interface Hold {
  /** Resolves once a backend waits on the lock; `wrote` says whether its transaction had written rows by then. */
  writerWaiting(ms?: number): Promise<{ wrote: boolean }>;
  release(): Promise<void>;
}

/**
 * Opens a transaction that runs `statement` (a row lock, an advisory lock, an insert whose key
 * a write will also insert) and keeps it open. Killing PostgreSQL while the write waits kills
 * it mid-transaction: what it wrote before is in the WAL, uncommitted.
 */
export async function holdLock(databaseUrl: string, statement: string, params: unknown[] = []): Promise<Hold> {
  const holder = new Client({ connectionString: databaseUrl });
  // The holder's connection dies with the server it is meant to outlive; that is expected.
  holder.on('error', () => undefined);
  await holder.connect();
  await holder.query('begin');
  await holder.query(statement, params);
  const [{ pid }] = (await holder.query<{ pid: number }>('select pg_backend_pid() as pid')).rows;
  return {
    writerWaiting: async (ms = 15_000) => {
      let wrote = false;
      const monitor = new Client({ connectionString: databaseUrl });
      await monitor.connect();
      try {
        await until(
          async () => {
            const { rows } = await monitor.query<{ wrote: boolean }>(
              `select backend_xid is not null as wrote from pg_stat_activity
                where wait_event_type = 'Lock' and pid <> $1 and datname = current_database()`,
              [pid],
            );
            wrote = rows.some((r) => r.wrote);
            return rows.length > 0;
          },
          ms,
          () => 'a write to wait on the held lock',
        );
      } finally {
        await monitor.end();
      }
      return { wrote };
    },
    release: () => holder.end().catch(() => undefined),
  };
}
