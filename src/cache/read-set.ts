import type { EntityManager } from '@mikro-orm/postgresql';

const STRING_LITERAL = /'(?:[^']|'')*'/g;
const QUOTED_IDENTIFIER = /"((?:[^"]|"")*)"/g;
/** `from` inside expressions, where it names no relation. */
const FROM_IN_EXPRESSION = /\bextract\s*\(\s*\w+\s+from\b|\bis\s+(?:not\s+)?distinct\s+from\b/g;
const WORD = /[a-z_][a-z0-9_]*/g;
const CTE_NAME = /(?:\bwith(?:\s+recursive)?|,)\s*([a-z_][a-z0-9_]*)\s*(?:\([^()]*\)\s*)?as\s+(?:not\s+)?(?:materialized\s+)?\(/g;
/** A relation where one is expected; a name followed by `(` is a function (unnest, generate_series…). */
const RELATION_POSITION = /\b(?:from|join|update|into|using)\s+(?:only\s+)?(?:lateral\s+)?([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)?)(\s*\()?/g;

/**
 * The relations of Assay's schema whose writes table_versions counts, and which counter
 * each reads under (a partition counts as its partitioned table).
 */
export class RelationCatalog {
  constructor(
    private readonly counters: ReadonlyMap<string, string>,
    private readonly schema: string,
  ) {}

  static async load(em: EntityManager): Promise<RelationCatalog> {
    const rows = await em.execute<{ name: string; counted_as: string; schema: string }[]>(
      `select c.relname as name, coalesce(parent.relname, c.relname) as counted_as, current_schema() as schema
         from pg_class c
         left join pg_inherits i on i.inhrelid = c.oid
         left join pg_class parent on parent.oid = i.inhparent
        where c.relnamespace = current_schema()::regnamespace and c.relkind in ('r', 'p', 'm')
          and c.relname not in ('table_versions', 'mikro_orm_migrations')`,
    );
    return new RelationCatalog(new Map(rows.map((r) => [r.name, r.counted_as])), rows[0]?.schema ?? 'public');
  }

  /**
   * The counters a response depends on, from the text of every statement that made it;
   * null when a statement reads a relation the counters do not cover (a catalog, a view,
   * a table made after start-up), so the response must not be reused. Errs towards more
   * tables: any word that names a table counts as a read of it.
   */
  readSet(statements: readonly string[]): Set<string> | null {
    const tables = new Set<string>();
    for (const statement of statements) {
      const sql = statement.replace(STRING_LITERAL, "''").replace(QUOTED_IDENTIFIER, '$1').toLowerCase().replace(FROM_IN_EXPRESSION, ' ');
      for (const [word] of sql.matchAll(WORD)) {
        const counter = this.counters.get(word);
        if (counter) tables.add(counter);
      }
      const ctes = new Set(Array.from(sql.matchAll(CTE_NAME), (m) => m[1]));
      for (const [, name, call] of sql.matchAll(RELATION_POSITION)) {
        if (call || ctes.has(name)) continue;
        const [schema, relation] = name.includes('.') ? name.split('.') : [this.schema, name];
        if (schema !== this.schema || !this.counters.has(relation)) return null;
      }
    }
    return tables;
  }
}
