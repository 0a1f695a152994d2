import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';

/** The only codes a client ever sees (see ARCHITECTURE.md). */
export const PUBLIC_CODES = [
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'SERVICE_UNAVAILABLE',
  'INTERNAL_SERVER_ERROR',
] as const;
export type ErrorCode = (typeof PUBLIC_CODES)[number];

export class AppError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code } });
  }
  get code(): ErrorCode {
    return this.extensions.code as ErrorCode;
  }
}

export const badInput = (message: string, extra?: Record<string, unknown>) =>
  new AppError('BAD_USER_INPUT', message, extra);
export const unauthenticated = (message = 'Authentication required') => new AppError('UNAUTHENTICATED', message);
export const forbidden = (message = 'Not allowed') => new AppError('FORBIDDEN', message);
export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found`);
export const conflict = (message: string) => new AppError('CONFLICT', message);
export const rateLimited = (retryAfterSeconds: number) =>
  new AppError('RATE_LIMITED', `Too many attempts; retry in ${retryAfterSeconds} s`, { retryAfterSeconds });
/**
 * The database cannot be reached (down, restarting): nothing was written, and the same
 * request may be retried. Apollo answers 503 with Retry-After for it and drops `http` from
 * what the client sees.
 */
export const serviceUnavailable = (requestId?: string) =>
  new AppError('SERVICE_UNAVAILABLE', 'The database is unavailable; retry shortly', {
    ...(requestId ? { requestId } : {}),
    http: { status: 503, headers: new HeaderMap([['retry-after', '1']]) },
  });

export const isPublicCode = (code: unknown): code is ErrorCode =>
  typeof code === 'string' && (PUBLIC_CODES as readonly string[]).includes(code);
