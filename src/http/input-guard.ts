import type { NextFunction, Request, Response } from 'express';
import { LRUCache } from 'lru-cache';
import { documentProblem } from './document-scan';
import { exceedsJsonDepth } from './json-depth';

/** A request refused at the edge: the error handler answers 400 BAD_USER_INPUT with its message. */
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

/** express.json's `verify` hook: runs on the raw body, before JSON.parse. */
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

/** GET carries variables and extensions as JSON text in the query string; Apollo parses them itself. */
function variablesOfGet(req: Request, limit: number): unknown {
  const params = req.query as Record<string, string | string[] | undefined>;
  for (const name of ['variables', 'extensions']) {
    for (const text of [params[name] ?? []].flat()) {
      if (exceedsJsonDepth(Buffer.from(text), limit)) throw tooDeep(limit);
    }
  }
  const variables = [params.variables ?? []].flat()[0];
  try {
    return variables === undefined ? undefined : JSON.parse(variables);
  } catch {
    return undefined;
  }
}

/**
 * Refuses, before Apollo parses or executes anything, what would cost the server dearly or
 * fail deep inside it: JSON nested past the limit (POST bodies are checked by
 * verifyJsonDepth), documents nested past it or far past the query depth limit (before
 * graphql-js's recursive parser sees them), and NUL characters.
 */
export function inputGuard(limits: InputLimits) {
  // Clients send the same few documents again and again: a document found fine once is not scanned again.
  const fine = new LRUCache<string, true>({ maxSize: 8_000_000, sizeCalculation: (_fine, query) => query.length + 64 });
  return (req: Request, _res: Response, next: NextFunction) => {
    const body: unknown = req.body;
    const request = (req.method === 'GET' ? req.query : body) as Record<string, unknown> | undefined;
    const variables = req.method === 'GET' ? variablesOfGet(req, limits.jsonDepth) : request?.variables;
    if (holdsNul(variables)) throw new RequestRejected('Variables hold a NUL character (U+0000)');
    const query = request?.query;
    if (typeof query === 'string' && !fine.has(query)) {
      const problem = documentProblem(query, { maxValueDepth: limits.jsonDepth, maxSelectionDepth: 2 * limits.queryDepth + 1, maxTokens: limits.tokens });
      if (problem) throw new RequestRejected(problem);
      fine.set(query, true);
    }
    next();
  };
}
