import pino from 'pino';

/** One logger for the process; secrets are redacted wherever they might appear. */
export const logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'),
  redact: {
    paths: ['password', '*.password', 'token', '*.token', 'refreshToken', '*.refreshToken', 'authorization', '*.authorization', 'key', '*.key'],
    censor: '[redacted]',
  },
});
