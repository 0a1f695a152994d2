import { LRUCache } from 'lru-cache';
import { documentProblem } from './document-scan';
import { exceedsJsonDepth } from './json-depth';

/** A request refused at the edge: answered 400 BAD_USER_INPUT with its message (http-error.ts). */
export class RequestRejected extends Error {
  readonly status = 400;
}

export interface InputLimits {
  jsonDepth: number;
  /** GRAPHQL_MAX_DEPTH: fields deep, each of which may add an inline fragment's selection set. */
  queryDepth: number;
  tokens: number;
}

export const tooDeep = (limit: number) => new RequestRejected(`Request JSON is nested deeper than ${limit} levels (JSON_MAX_DEPTH)`);

/** body-parser's `verify` hook: runs on the raw body, before JSON.parse. */
export const verifyJsonDepth =
  (limit: number) =>
  (_req: unknown, _res: unknown, body: Buffer): void => {
    if (exceedsJsonDepth(body, limit)) throw tooDeep(limit);
  };

/** Whether a parsed JSON value holds U+0000 in a string or a key: PostgreSQL text and jsonb cannot store it. */
function holdsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(holdsNul);
  return Object.entries(value).some(([key, v]) => key.includes('\u0000') || holdsNul(v));
}

/** What the guard reads of a request: a POST's parsed body, or a GET's query string. */
export interface GraphQLHttpInput {
  method: string;
  body: unknown;
  search: URLSearchParams;
}

/** GET carries variables and extensions as JSON text in the query string; Apollo parses them itself. */
function variablesOfGet(search: URLSearchParams, limit: number): unknown {
  for (const name of ['variables', 'extensions']) {
    for (const text of search.getAll(name)) {
      if (exceedsJsonDepth(Buffer.from(text), limit)) throw tooDeep(limit);
    }
  }
  const variables = search.get('variables');
  try {
    return variables === null ? undefined : JSON.parse(variables);
  } catch {
    return undefined;
  }
}

/**
 * Refuses, before Apollo parses or executes anything, what would cost the server dearly or
 * fail deep inside it: JSON nested past the limit (POST bodies are checked by
 * verifyJsonDepth), documents nested past it or far past the query depth limit (before
 * graphql-js's recursive parser sees them), and NUL characters. Throws RequestRejected.
 */
export function inputGuard(limits: InputLimits): (input: GraphQLHttpInput) => void {
  // Clients send the same few documents again and again: a document found fine once is not scanned again.
  const fine = new LRUCache<string, true>({ maxSize: 8_000_000, sizeCalculation: (_fine, query) => query.length + 64 });
  return ({ method, body, search }) => {
    const get = method === 'GET';
    const request = get ? null : (body as Record<string, unknown> | undefined);
    const variables = get ? variablesOfGet(search, limits.jsonDepth) : request?.variables;
    if (holdsNul(variables)) throw new RequestRejected('Variables hold a NUL character (U+0000)');
    const query = get ? search.get('query') : request?.query;
    if (typeof query === 'string' && !fine.has(query)) {
      const problem = documentProblem(query, { maxValueDepth: limits.jsonDepth, maxSelectionDepth: 2 * limits.queryDepth + 1, maxTokens: limits.tokens });
      if (problem) throw new RequestRejected(problem);
      fine.set(query, true);
    }
  };
}
