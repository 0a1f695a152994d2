/** Socket errors of a database that is down, restarting or unreachable. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/**
 * SQLSTATEs of a server that cannot serve now: class 08 (connection exceptions),
 * admin/crash shutdown and "starting up" or "in recovery" (57P01-57P03), too many connections.
 */
const UNAVAILABLE_STATE = /^(08...|57P0[123]|53300)$/;

/** What pg and knex say when the connection or the pool gives up, without a code. */
const UNAVAILABLE_MESSAGE = /Connection terminated|Connection ended unexpectedly|not queryable|Timeout acquiring a connection/;

/**
 * Whether an error means the database could not be reached, rather than that the statement
 * was wrong: the caller may retry later. MikroORM and knex wrap the driver's error, so the
 * chain of causes is followed.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_STATE.test(code))) return true;
    if (e.name === 'KnexTimeoutError' || UNAVAILABLE_MESSAGE.test(e.message)) return true;
  }
  return false;
}
