import { isUUID } from 'class-validator';
import { badInput } from '../errors';

/** IDs are UUIDs: anything else is the caller's mistake, not a database error. */
export function checkedId(id: string, name: string): string {
  if (!isUUID(id)) throw badInput(`${name} must be a UUID`);
  return id;
}
