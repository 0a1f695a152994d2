import type { Writable } from 'node:stream';
import type { Knex } from '@mikro-orm/postgresql';
import { openDatabase } from '../app';
import type { Config } from '../config';

/** Where a command writes: stdout for results, stderr for problems. Tests pass their own. */
export interface CliIo {
  out: Writable;
  err: Writable;
}

export const processIo: CliIo = { out: process.stdout, err: process.stderr };

/** Exit codes of the assessment commands, as documented in the README. */
export const EXIT = { ok: 0, error: 1, findings: 2 } as const;

/** Opens DATABASE_URL (never the embedded one: its server may be running), runs, closes. */
export async function withKnex<T>(config: Config, command: string, run: (knex: Knex) => Promise<T>): Promise<T> {
  if (!config.databaseUrl) {
    throw new Error(`${command} needs DATABASE_URL (for the embedded default, the URL of its PostgreSQL on EMBEDDED_PG_PORT)`);
  }
  const db = await openDatabase(config);
  try {
    return await run(db.orm.em.getKnex());
  } finally {
    await db.close();
  }
}
