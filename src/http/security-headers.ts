import type { RequestHandler, Response } from 'express';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * helmet's headers for these options, worked out once at start-up: they depend on no
 * request, and running helmet's eleven middlewares on every request cost more than the
 * rest of an authenticated `{ me { id } }`.
 */
export function securityHeaders(options: HelmetOptions): RequestHandler {
  const headers = new Map<string, string>();
  const recorder = {
    setHeader: (name: string, value: string) => headers.set(name.toLowerCase(), value),
    removeHeader: (name: string) => headers.delete(name.toLowerCase()),
  } as unknown as Response;
  let done = false;
  helmet(options)({} as never, recorder, () => (done = true));
  if (!done) throw new Error('helmet did not set its headers synchronously');
  const entries = [...headers];
  return (_req, res, next) => {
    for (const [name, value] of entries) res.setHeader(name, value);
    next();
  };
}
