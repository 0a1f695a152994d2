import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import type { Batching } from './batching';
import { uuidArray } from '../db/pg-array';
import { everyRow, isColumnEquals, noRow, type SqlCondition } from '../permissions/sql-condition';

/** Whether the row with this id passes an access predicate: at once when the predicate is constant. */
export type Visibility = (id: string) => boolean | Promise<boolean>;

/**
 * An aggregate's access predicate asked about rows by id: one statement per batch, none
 * when the predicate is `true` or `false` for this viewer or admits one id only. The row rule of the aggregate's
 * type answers from it for rows that did not come from a scoped query.
 */
export function visibility(em: EntityManager, table: string, alias: string, condition: SqlCondition, batching: Batching): Visibility {
  if (condition === everyRow) return () => true;
  if (condition === noRow) return () => false;
  if (isColumnEquals(condition) && condition.column === 'id') return (id) => id === condition.value;
  const loader = new DataLoader<string, boolean>(async (ids) => {
    const rows = await em.execute<{ id: string }[]>(
      `select ${alias}.id from ${table} ${alias} where ${alias}.id = any (?::uuid[]) and ${condition.sql}`,
      [uuidArray(ids), ...condition.params],
    );
    const visible = new Set(rows.map((row) => row.id));
    return ids.map((id) => visible.has(id));
  }, batching);
  return (id) => loader.load(id);
}
