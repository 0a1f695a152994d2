import { raw, type FilterQuery } from '@mikro-orm/core';

/** A SQL boolean over a row alias, with its `?` parameters: the form of every access predicate. */
export interface SqlCondition {
  sql: string;
  params: unknown[];
}

export const everyRow: SqlCondition = { sql: 'true', params: [] };

/** `alias.column = value`: a row in memory answers it from its own column, with no statement. */
export interface ColumnEquals extends SqlCondition {
  column: string;
  value: string;
}

export const columnEquals = (alias: string, column: string, value: string): ColumnEquals => ({
  sql: `${alias}.${column} = ?`,
  params: [value],
  column,
  value,
});

/** The row with this id and no other. */
export const oneRow = (alias: string, id: string): ColumnEquals => columnEquals(alias, 'id', id);

export const isColumnEquals = (condition: SqlCondition): condition is ColumnEquals => 'value' in condition;

/** `alias.column` is one of `values` (none: no row): a row in memory answers it from its own column. */
export interface ColumnIn extends SqlCondition {
  column: string;
  values: readonly string[];
}

export const columnIn = (alias: string, column: string, values: readonly string[]): ColumnIn => ({
  sql: values.length ? `${alias}.${column} in (${values.map(() => '?').join(', ')})` : 'false',
  params: [...values],
  column,
  values,
});

const isColumnIn = (condition: SqlCondition): condition is ColumnIn => 'values' in condition;

/**
 * Whether a row in memory passes a predicate that reads no other row (`everyRow`, `noRow`,
 * `columnEquals`, `columnIn`), given the row's columns by name. Any other predicate needs the database
 * (a visibility loader): asking this of one is a programming error.
 */
export function holdsFor(condition: SqlCondition, row: Readonly<Record<string, unknown>>): boolean {
  if (condition === everyRow) return true;
  if (condition === noRow) return false;
  if (isColumnEquals(condition)) return row[condition.column] === condition.value;
  if (isColumnIn(condition)) return condition.values.includes(row[condition.column] as string);
  throw new Error(`holdsFor needs a predicate that reads only the row itself, not: ${condition.sql}`);
}
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
