import { isUuid } from '../services/uuid';

/**
 * A uuid[] literal for one bind parameter (`?::uuid[]`). Knex would spread a JS array into
 * a list of parameters, which `any (...)` and `unnest (...)` cannot take. Only UUIDs pass,
 * so the literal needs no quoting.
 */
export function uuidArray(ids: readonly string[]): string {
  for (const id of ids) if (!isUuid(id)) throw new Error(`not a uuid: ${JSON.stringify(id).slice(0, 60)}`);
  return `{${ids.join(',')}}`;
}
