import pino from 'pino';
import { serializeError } from './log-errors';

/** Keys whose values are secrets, at the top of a log object or one level down. */
const SECRET_KEYS = [
  'password',
  'passwordHash',
  'password_hash',
  'token',
  'accessToken',
  'refreshToken',
  'tokenHash',
  'token_hash',
  'key',
  'apiKey',
  'keyHash',
  'key_hash',
  'secret',
  'authorization',
  'cookie',
];

const redactPaths = [...SECRET_KEYS.flatMap((key) => [key, `*.${key}`]), '*.headers.authorization', '*.headers.cookie', '*.headers["x-api-key"]'];

/** A logger with the process's redaction and error serialization; `destination` is for tests. */
export function createLogger(level: string, destination?: pino.DestinationStream): pino.Logger {
  return pino(
    {
      level,
      redact: { paths: redactPaths, censor: '[redacted]' },
      serializers: { err: serializeError },
    },
    destination,
  );
}

/** One logger for the process; secrets are redacted wherever they might appear. */
export const logger = createLogger(process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'));
