import type { EntityManager } from '@mikro-orm/postgresql';
import type { Knex } from '@mikro-orm/knex';
import { countStatement } from './query-counter';

/**
 * `em.execute` for hot reads, with the parameters bound by the driver instead of inlined:
 * MikroORM escapes every parameter into the text character by character, which for the
 * uuid lists of loaders was a tenth of what live deliveries allocate. Runs in `em`'s
 * transaction when it has one, as `em.execute` does, and counts as a statement; it does not
 * pass through MikroORM's query log.
 */
export async function executeBound<T>(em: EntityManager, sql: string, params: readonly unknown[]): Promise<T[]> {
  const query = em.getKnex().raw<{ rows: T[] }>(sql, params as Knex.RawBinding[]);
  const transaction = em.getTransactionContext<Knex.Transaction>();
  if (transaction) query.transacting(transaction);
  countStatement(sql);
  return (await query).rows;
}

/** The same outside any transaction and request, on `knex`'s pool: for work of the server itself. */
export async function queryBound<T>(knex: Knex, sql: string, params: readonly unknown[]): Promise<T[]> {
  return (await knex.raw<{ rows: T[] }>(sql, params as Knex.RawBinding[])).rows;
}
