import { notFound } from '../../errors';
import { isUuid } from '../uuid';

/** Ids are UUIDs; anything else names no row, and must not reach PostgreSQL as a cast error. */
export function existingId(value: string, what: string): string {
  if (!isUuid(value)) throw notFound(what);
  return value;
}
