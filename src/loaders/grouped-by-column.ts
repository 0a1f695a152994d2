import type { EntityManager } from '@mikro-orm/postgresql';
import type { EntityName, FilterQuery, FindOptions } from '@mikro-orm/core';
import DataLoader from 'dataloader';

/**
 * One SQL statement per batch for a one-to-many relation: every row of `entity` whose
 * `column` is among the keys, grouped by key (an empty list when a key has none).
 */
export function loaderGroupedByColumn<T extends object>(
  em: EntityManager,
  entity: EntityName<T>,
  column: string,
  keyOf: (row: T) => string,
  orderBy: FindOptions<T>['orderBy'],
): DataLoader<string, T[]> {
  return new DataLoader(async (keys) => {
    const rows = await em.find(entity, { [column]: { $in: [...keys] } } as FilterQuery<T>, { orderBy });
    const byKey = new Map<string, T[]>(keys.map((key) => [key, []]));
    for (const row of rows) byKey.get(keyOf(row))?.push(row);
    return keys.map((key) => byKey.get(key)!);
  });
}
