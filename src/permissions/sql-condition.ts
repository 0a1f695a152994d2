import { raw, type FilterQuery } from '@mikro-orm/core';

/** A SQL boolean over a row alias, with its `?` parameters: the form of every access predicate. */
export interface SqlCondition {
  sql: string;
  params: unknown[];
}

export const everyRow: SqlCondition = { sql: 'true', params: [] };

/** The row with this id and no other: asked about by id, it needs no statement. */
export interface OneRow extends SqlCondition {
  onlyId: string;
}

export const oneRow = (alias: string, id: string): OneRow => ({ sql: `${alias}.id = ?`, params: [id], onlyId: id });
export const noRow: SqlCondition = { sql: 'false', params: [] };

/**
 * The predicate as a MikroORM filter: `column in (select alias.id from table alias where …)`,
 * `column` being the row's own id or a reference to the table's rows. The raw fragment sits
 * in value position: MikroORM forgets a raw key after one use, and paginate() renders the
 * filter twice (page and count).
 */
export function filterOf<T>(table: string, alias: string, condition: SqlCondition, column = 'id'): FilterQuery<T> {
  if (condition.sql === everyRow.sql) return {};
  const subquery: unknown = raw(`select ${alias}.id from ${table} ${alias} where ${condition.sql}`, condition.params);
  return { [column]: { $in: subquery } } as FilterQuery<T>;
}

/** Every condition at once. */
export function allOf(...conditions: SqlCondition[]): SqlCondition {
  const kept = conditions.filter((c) => c !== everyRow);
  if (kept.length === 0) return everyRow;
  if (kept.length === 1) return kept[0];
  return { sql: kept.map((c) => `(${c.sql})`).join(' and '), params: kept.flatMap((c) => c.params) };
}
