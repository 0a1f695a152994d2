import pino from 'pino';

/** The fields of a PostgreSQL error (pg's DatabaseError, or MikroORM's copy of it) safe to log. */
interface DatabaseError extends Error {
  code: string;
  routine: string;
  schema?: string;
  table?: string;
  column?: string;
  constraint?: string;
}

const isDatabaseError = (err: unknown): err is DatabaseError =>
  err instanceof Error && typeof (err as Partial<DatabaseError>).routine === 'string' && /^[0-9A-Z]{5}$/.test(String((err as Partial<DatabaseError>).code));

/**
 * PostgreSQL's own sentence. knex prefixes the statement (`<sql> - <message>`) and MikroORM
 * appends `\n - detail: …` (which can repeat the whole row, hashes included) and the hint.
 */
function databaseMessage(message: string): string {
  const head = message.split('\n - ')[0];
  const at = head.lastIndexOf(' - ');
  return at === -1 ? head : head.slice(at + 3);
}

/**
 * pino's error serializer, except for database errors: their message, stack and detail carry
 * the statement and the row, so only the code, PostgreSQL's sentence, where it happened and
 * the stack frames are logged.
 */
export function serializeError(err: unknown): unknown {
  if (!isDatabaseError(err)) return pino.stdSerializers.err(err as Error);
  return {
    type: err.name,
    code: err.code,
    message: databaseMessage(err.message),
    schema: err.schema,
    table: err.table,
    column: err.column,
    constraint: err.constraint,
    routine: err.routine,
    stack: err.stack?.split('\n').filter((line) => line.trimStart().startsWith('at ')).join('\n'),
  };
}
