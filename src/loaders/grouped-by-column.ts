import type { EntityManager } from '@mikro-orm/postgresql';
import type { EntityName, FilterQuery, FindOptions } from '@mikro-orm/core';
import DataLoader from 'dataloader';
import type { Batching } from './batching';

/**
 * One SQL statement per batch: the rows of `entity` whose `column` is among the keys,
 * narrowed by `where` (the viewer's scope, when it has one), grouped by key in `orderBy` order.
 */
export function loaderGroupedByColumn<T extends object>(
  em: EntityManager,
  entity: EntityName<T>,
  column: string,
  keyOf: (row: T) => string,
  options: { where?: FilterQuery<T>; orderBy: FindOptions<T>['orderBy'] },
  batching: Batching,
): DataLoader<string, T[]> {
  return new DataLoader(async (keys) => {
    const inKeys = { [column]: { $in: [...keys] } } as FilterQuery<T>;
    const where = options.where ? ({ $and: [inKeys, options.where] } as FilterQuery<T>) : inKeys;
    const rows = await em.find(entity, where, { orderBy: options.orderBy });
    const byKey = new Map<string, T[]>(keys.map((key) => [key, []]));
    for (const row of rows) byKey.get(keyOf(row))?.push(row);
    return keys.map((key) => byKey.get(key)!);
  }, batching);
}
