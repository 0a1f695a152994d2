import { ReferenceKind, type EntityClass, type EntityMetadata, type EntityProperty } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';

type Read = (row: Record<string, unknown>, into: Record<string, unknown>) => void;

/*
 * Rows of an entity's table as plain objects with the entity's properties, converted as
 * MikroORM would hydrate them (its custom types: decimals, precise timestamps, JSON), but
 * outside the unit of work: no identity map, no change-tracking snapshot, no entity
 * instance. For rows that are only read (lists, relations shown, rows read by rules), where
 * hydration cost more than the rest of the request. A reference holds only `{ id }`;
 * collections, inverse sides, lazy and hidden properties (a password hash) are left out, as
 * are getters (type-graphql reads those from an instance it makes). Columns may carry a
 * prefix, for rows of a join. test/plain-rows.test.ts holds them to MikroORM's hydration.
 */

const isColumn = (prop: EntityProperty) =>
  !prop.lazy && !prop.hidden && prop.persist !== false && (prop.fieldNames?.length ?? 0) > 0 &&
  (prop.kind === ReferenceKind.SCALAR || prop.kind === ReferenceKind.MANY_TO_ONE || (prop.kind === ReferenceKind.ONE_TO_ONE && prop.owner));

const columnsOf = (meta: EntityMetadata) => meta.props.filter(isColumn);

const selectLists = new WeakMap<EntityMetadata, Map<string, string>>();

/** `alias.column as prefixcolumn, …` for every property plainRows reads. */
export function plainColumns(em: EntityManager, entity: EntityClass<object>, alias: string, prefix = ''): string {
  const meta: EntityMetadata = em.getMetadata().get(entity.name);
  let lists = selectLists.get(meta);
  if (!lists) selectLists.set(meta, (lists = new Map<string, string>()));
  let list = lists.get(`${alias}.${prefix}`);
  if (list === undefined) {
    list = columnsOf(meta)
      .map((prop) => `${alias}.${prop.fieldNames[0]}${prefix ? ` as ${prefix}${prop.fieldNames[0]}` : ''}`)
      .join(', ');
    lists.set(`${alias}.${prefix}`, list);
  }
  return list;
}

function reader(em: EntityManager, prop: EntityProperty, prefix: string): Read {
  const column = prefix + prop.fieldNames[0];
  const name = prop.name;
  const platform = em.getPlatform();
  if (prop.kind !== ReferenceKind.SCALAR) {
    return (row, into) => {
      const id = row[column];
      into[name] = id == null ? null : { id };
    };
  }
  const type = prop.customType;
  if (type) {
    return (row, into) => {
      const value = row[column];
      into[name] = value == null ? null : type.convertToJSValue(value, platform);
    };
  }
  if (prop.runtimeType === 'Date') {
    // MikroORM's pg connection leaves timestamps as PostgreSQL's text.
    return (row, into) => {
      const value = row[column];
      into[name] = typeof value === 'string' ? platform.parseDate(value) : (value ?? null);
    };
  }
  return (row, into) => {
    into[name] = row[column];
  };
}

const made = new WeakMap<EntityMetadata, Map<string, (row: Record<string, unknown>) => object>>();

/** The mapper from a row (columns named as in the table, after `prefix`) to a plain `T`. */
export function plainRows<T extends object>(em: EntityManager, entity: EntityClass<T>, prefix = ''): (row: Record<string, unknown>) => T {
  const meta = em.getMetadata().get<T>(entity.name) as EntityMetadata;
  let byPrefix = made.get(meta);
  if (!byPrefix) made.set(meta, (byPrefix = new Map<string, (row: Record<string, unknown>) => object>()));
  let map = byPrefix.get(prefix);
  if (!map) {
    const readers = columnsOf(meta).map((prop) => reader(em, prop, prefix));
    map = (row) => {
      const plain: Record<string, unknown> = {};
      for (const read of readers) read(row, plain);
      return plain;
    };
    byPrefix.set(prefix, map);
  }
  return map as (row: Record<string, unknown>) => T;
}
