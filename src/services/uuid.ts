import { badInput } from '../errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: string) => UUID.test(value);

/** ID arguments reach uuid columns: anything else is the caller's mistake, not a database error. */
export function assertUuid(value: string, field: string): string {
  if (!isUuid(value)) throw badInput(`${field} must be a UUID`, { field });
  return value;
}
