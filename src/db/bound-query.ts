import type { EntityManager } from '@mikro-orm/postgresql';
import { countStatement } from './query-counter';

/**
 * Runs one statement on its own (autocommit) with the parameters bound by the driver
 * ($1, $2, …) rather than inlined and escaped by the ORM, for statements that carry a large
 * parameter such as a batch of events as JSON, where escaping it character by character
 * costs more than running the statement. Never inside a transaction of `em`.
 */
export async function executeBound<T>(em: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  countStatement();
  const result = await em.getKnex().raw<{ rows: T[] }>(sql, params as never[]);
  return result.rows;
}
