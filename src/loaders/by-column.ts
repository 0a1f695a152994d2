import type { EntityManager } from '@mikro-orm/postgresql';
import type { EntityName, FilterQuery } from '@mikro-orm/core';
import DataLoader from 'dataloader';

/**
 * One SQL statement per batch: rows of `entity` whose `column` is among the keys.
 * Missing keys resolve to null, so callers can tell "none" from an error.
 */
export function loaderByColumn<T extends object>(
  em: EntityManager,
  entity: EntityName<T>,
  column: string,
  keyOf: (row: T) => string,
): DataLoader<string, T | null> {
  return new DataLoader(async (keys) => {
    const rows = await em.find(entity, { [column]: { $in: [...keys] } } as FilterQuery<T>);
    const byKey = new Map(rows.map((row) => [keyOf(row), row]));
    return keys.map((key) => byKey.get(key) ?? null);
  });
}
