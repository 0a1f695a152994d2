import { notFound } from '../../errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: string) => UUID.test(value);

/** Ids are UUIDs; anything else names no row, and must not reach PostgreSQL as a cast error. */
export function existingId(value: string, what: string): string {
  if (!isUuid(value)) throw notFound(what);
  return value;
}
