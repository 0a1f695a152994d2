import type { EntityManager } from '@mikro-orm/postgresql';
import { countStatement } from './query-counter';

interface PgConnection {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/** The parts of knex's client this needs: a pooled pg connection and its `?` → `$n` rewriting. */
interface KnexClient {
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<void>;
  positionBindings(sql: string): string;
}

/** Per SQL text: the name it is prepared under on every connection, and its `$n` form. */
const prepared = new Map<string, { name: string; text: string }>();

/**
 * Runs one statement on its own (autocommit) as a named prepared statement on a pooled
 * connection, with the parameters bound by the driver rather than inlined and escaped by
 * the ORM: for hot statements that carry a large parameter (a batch of events as JSON),
 * where escaping it character by character, and planning it again on every call, cost
 * more than running it. For a few fixed texts: each stays prepared for the connection's life.
 * Never inside a transaction of `em`.
 */
export async function executePrepared<T>(em: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  const client = em.getKnex().client as KnexClient;
  let statement = prepared.get(sql);
  if (!statement) prepared.set(sql, (statement = { name: `assay_${prepared.size + 1}`, text: client.positionBindings(sql) }));
  countStatement(sql);
  const connection = await client.acquireConnection();
  try {
    return (await connection.query({ name: statement.name, text: statement.text, values: params })).rows as T[];
  } finally {
    await client.releaseConnection(connection);
  }
}
