import { GraphQLError } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import type { ValidationError } from 'class-validator';
import { isDatabaseUnavailable } from '../db/unavailable';
import { AppError, badInput, forbidden, isPublicCode, serviceUnavailable } from '../errors';
import { logger } from '../logger';

interface Invalid {
  field: string;
  problems: string[];
}

/** class-validator errors carry the rejected value and the whole input: keep only names and messages. */
function flatten(errors: ValidationError[], prefix = ''): Invalid[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, problems: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

export function validationError(error: ArgumentValidationError): AppError {
  const invalid = flatten((error.extensions.validationErrors) ?? []);
  const summary = invalid.flatMap((i) => i.problems).join('; ');
  return badInput(`Invalid input: ${summary || 'arguments failed validation'}`, { invalid });
}

/**
 * What a client sees for any error raised under shield: public codes pass, a denied rule
 * is FORBIDDEN, a database that cannot be reached is SERVICE_UNAVAILABLE, everything else
 * is logged with the request id and masked.
 */
export function toClientError(thrown: unknown, requestId?: string): GraphQLError {
  if (thrown == null) return forbidden();
  if (thrown instanceof ArgumentValidationError) return validationError(thrown);
  if (thrown instanceof GraphQLError && isPublicCode(thrown.extensions?.code)) return thrown;
  // PostgreSQL could not read a value the caller sent (a malformed id, say): their input, not our fault.
  if ((thrown as { code?: unknown }).code === '22P02') return badInput('A value in the request is malformed (is every id a UUID?)');
  // The column counts code points where validation may count fewer (an emoji with its variation selector).
  if ((thrown as { code?: unknown }).code === '22001') return badInput('A value in the request is longer than its field allows (counted in Unicode code points)');
  if (isDatabaseUnavailable(thrown)) {
    logger.warn({ err: thrown, requestId }, 'database unavailable');
    return serviceUnavailable(requestId);
  }
  logger.error({ err: thrown, requestId }, 'unexpected error');
  return new AppError('INTERNAL_SERVER_ERROR', 'Internal server error', requestId ? { requestId } : {});
}
