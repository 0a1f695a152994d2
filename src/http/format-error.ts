import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { AppError, isPublicCode } from '../errors';
import { logger } from '../logger';

/** Codes graphql-js and Apollo raise for a malformed request: all are the client's input. */
const REQUEST_ERROR_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST', 'OPERATION_RESOLUTION_FAILURE']);

/** graphql-js's "Did you mean …?" for fields, arguments, types, enum values and input fields. */
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

/**
 * Apollo's formatError: request errors become BAD_USER_INPUT, public codes pass, anything
 * else is logged and masked. Apollo labels its own failures (a plugin that threw, say)
 * INTERNAL_SERVER_ERROR with the raw message, so only ours, already masked, pass under that
 * code. In production, suggestions are cut: they spell out the schema introspection hides.
 */
export function errorFormatter(production: boolean) {
  const shown = (message: string) => (production ? message.replace(SUGGESTION, '') : message);
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && REQUEST_ERROR_CODES.has(code)) {
      return { ...formatted, message: shown(formatted.message), extensions: { code: 'BAD_USER_INPUT', reason: code } };
    }
    const original = unwrapResolverError(error);
    const ours = code !== 'INTERNAL_SERVER_ERROR' || original instanceof AppError;
    if ((isPublicCode(code) && ours) || code === 'PERSISTED_QUERY_NOT_FOUND' || code === 'PERSISTED_QUERY_NOT_SUPPORTED') {
      return { ...formatted, message: shown(formatted.message) };
    }
    logger.error({ err: original }, 'unexpected error outside a resolver');
    return { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}
