import type { ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

export type HeaderSetter = (res: ServerResponse) => void;

/**
 * helmet's headers for these options, worked out once at start-up: they depend on no
 * request, and running helmet's eleven middlewares on every request cost more than the
 * rest of an authenticated `{ me { id } }`. `extra` headers are set with them.
 */
export function securityHeaders(options: HelmetOptions, extra: Record<string, string> = {}): HeaderSetter {
  const headers = new Map<string, string>();
  const recorder = {
    setHeader: (name: string, value: string) => headers.set(name.toLowerCase(), value),
    removeHeader: (name: string) => headers.delete(name.toLowerCase()),
  };
  let done = false;
  helmet(options)({} as never, recorder as never, () => (done = true));
  if (!done) throw new Error('helmet did not set its headers synchronously');
  for (const [name, value] of Object.entries(extra)) headers.set(name, value);
  const entries = [...headers];
  return (res) => {
    for (const [name, value] of entries) res.setHeader(name, value);
  };
}
