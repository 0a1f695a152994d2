import type { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { logger } from '../logger';

interface PoolInUse {
  used: { resource: { processID: number | null } }[];
}

/**
 * Cancels the statements this process still has running on its pool, so that their
 * transactions roll back and their connections come back: the pool's close waits for every
 * connection in use, and a shutdown whose grace is over must not wait on a request that
 * hangs on a lock. Runs on a connection of its own, since the pool may have none to spare.
 */
export async function cancelRunning(orm: MikroORM, url: string): Promise<void> {
  const pool = (orm.em.getKnex().client as { pool?: PoolInUse }).pool;
  const pids = (pool?.used ?? []).map((u) => u.resource.processID).filter((pid): pid is number => pid !== null);
  if (pids.length === 0) return;
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select pg_cancel_backend(pid) from unnest($1::int[]) pid', [pids]);
    logger.warn({ statements: pids.length }, 'cancelled statements still running at shutdown');
  } catch (error) {
    logger.warn({ err: error }, 'could not cancel the statements still running at shutdown');
  } finally {
    await client.end().catch(() => undefined);
  }
}
