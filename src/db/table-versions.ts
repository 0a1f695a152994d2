import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * How many committed statements have changed each table (migration table_versions): a
 * table absent has never been written since the counters began. Versions only grow.
 */
export type TableVersions = Readonly<Record<string, string>>;

/**
 * Every table's version as one JSON text, ordered by name: two equal texts mean no table
 * changed in between. A subquery, so it can share a statement with a credential check.
 */
export const TABLE_VERSIONS_SQL = `(select coalesce(json_object_agg(table_name, version order by table_name), '{}')::text
    from (select table_name, sum(version)::text as version from table_versions group by table_name) v)`;

export const versionOf = (versions: TableVersions, table: string): string => versions[table] ?? '0';

/**
 * Counts a change the triggers cannot see (a materialized view refreshed, a partition
 * dropped) against `relation`. Call it in the transaction that makes the change.
 */
export async function noteWrite(em: EntityManager, relation: string): Promise<void> {
  await em.execute('select assay_note_write(?)', [relation]);
}

/**
 * Folds the counter rows of backends that have ended into row 0 of their table: the sums,
 * and so every version, stay what they were, while the table stays as small as the number
 * of live connections. Rows of live backends are left alone, so no writer waits.
 */
export async function compactTableVersions(em: EntityManager): Promise<number> {
  const [row] = await em.execute<{ folded: string }[]>(
    `with ended as (
       delete from table_versions v
        where v.backend <> 0 and not exists (select 1 from pg_stat_activity a where a.pid = v.backend)
       returning table_name, version
     ), folded as (
       insert into table_versions as t (table_name, backend, version)
       select table_name, 0, sum(version) from ended group by table_name
       on conflict (table_name, backend) do update set version = t.version + excluded.version
     )
     select count(*)::text as folded from ended`,
  );
  return Number(row.folded);
}
