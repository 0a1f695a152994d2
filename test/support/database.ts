import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { databaseUrl, withAdminClient } from './postgres';

export interface TestDatabase {
  name: string;
  url: string;
  /** Runs SQL as the superuser, bypassing the API (for setting up broken data). */
  sql: (query: string) => Promise<Record<string, unknown>[]>;
  drop(): Promise<void>;
}

function handle(name: string): TestDatabase {
  const adminUrl = inject('pgAdminUrl');
  const url = databaseUrl(adminUrl, name);
  return {
    name,
    url,
    sql: (query) => withAdminClient(url, async (c) => (await c.query(query)).rows),
    drop: () => withAdminClient(adminUrl, (c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}

const newName = () => `assay_t_${inject('runPid')}_${randomBytes(6).toString('hex')}`;

/** An empty database (no tables), for migration and seeding tests. */
export async function createEmptyDatabase(): Promise<TestDatabase> {
  const name = newName();
  await withAdminClient(inject('pgAdminUrl'), (c) => c.query(`create database ${name}`));
  return handle(name);
}

/** A fresh database cloned from the run's migrated, seeded template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('pgAdminUrl');
  const template = inject('templateDatabase');
  const name = newName();
  // Concurrent clones of one template can collide on its lock; retry briefly.
  for (let attempt = 0; ; attempt++) {
    try {
      await withAdminClient(adminUrl, (c) => c.query(`create database ${name} template ${template}`));
      break;
    } catch (error) {
      if (attempt >= 20 || !/being accessed by other users/.test(String(error))) throw error;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
  return handle(name);
}
