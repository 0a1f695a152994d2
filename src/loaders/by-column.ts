import type { EntityManager } from '@mikro-orm/postgresql';
import type { EntityClass, EntityName, FilterQuery } from '@mikro-orm/core';
import { executeBound } from '../db/bound-query';
import { uuidArray } from '../db/pg-array';
import { plainColumns, plainRows } from '../db/plain-rows';
import { SettlingLoader } from './settled';
import DataLoader from 'dataloader';
import type { Batching } from './batching';

/**
 * One SQL statement per batch: rows of `entity` whose `column` is among the keys.
 * Missing keys resolve to null, so callers can tell "none" from an error.
 */
export function loaderByColumn<T extends object>(
  em: EntityManager,
  entity: EntityName<T>,
  column: string,
  keyOf: (row: T) => string,
  batching: Batching,
): DataLoader<string, T | null> {
  return new DataLoader(async (keys) => {
    const rows = await em.find(entity, { [column]: { $in: [...keys] } } as FilterQuery<T>);
    const byKey = new Map(rows.map((row) => [keyOf(row), row]));
    return keys.map((key) => byKey.get(key) ?? null);
  }, batching);
}

/**
 * loaderByColumn for rows that are only read: plain rows (db/plain-rows.ts) of `table`,
 * one statement per batch, keyed by a uuid `column`; a SettlingLoader, so row rules can
 * read what it already holds.
 */
export function plainLoaderByColumn<T extends object>(
  em: EntityManager,
  entity: EntityClass<T>,
  table: string,
  column: string,
  batching: Batching,
): SettlingLoader<string, T | null> {
  return new SettlingLoader(async (keys) => {
    const rows = await executeBound<Record<string, unknown>>(em, `select ${plainColumns(em, entity, 't')} from ${table} t where t.${column} = any (?::uuid[])`, [
      uuidArray(keys),
    ]);
    const toPlain = plainRows(em, entity);
    const byKey = new Map(rows.map((row) => [row[column] as string, toPlain(row)]));
    return keys.map((key) => byKey.get(key) ?? null);
  }, batching);
}
