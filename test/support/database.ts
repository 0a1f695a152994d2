import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { databaseUrl, withAdminClient } from './postgres';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh database cloned from the run's migrated, seeded template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('pgAdminUrl');
  const template = inject('templateDatabase');
  const name = `assay_t_${randomBytes(6).toString('hex')}`;
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
  return {
    name,
    url: databaseUrl(adminUrl, name),
    drop: () => withAdminClient(adminUrl, (c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}
