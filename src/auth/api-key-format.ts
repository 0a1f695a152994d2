import { createHash, randomBytes } from 'node:crypto';

/** Keys look like `assay_<43 url-safe chars>`; the prefix makes them easy to spot in leaked text. */
export const API_KEY_PREFIX = 'assay_';
const PREFIX_SHOWN = 12;

export const looksLikeApiKey = (value: string) => value.startsWith(API_KEY_PREFIX) && !value.includes('.');

export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');

export function generateApiKey() {
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, prefix: key.slice(0, PREFIX_SHOWN), keyHash: hashApiKey(key) };
}
