import { LRUCache } from 'lru-cache';
import { documentProblem, type DocumentLimits } from './document-scan';
import { jsonShapeProblem, type JsonShapeLimits } from './json-shape';

/** A request refused at the edge: answered 400 BAD_USER_INPUT with its message (http-error.ts). */
export class RequestRejected extends Error {
  readonly status = 400;
}

export interface InputLimits {
  jsonDepth: number;
  jsonValues: number;
  /** GRAPHQL_MAX_DEPTH: fields deep, each of which may add an inline fragment's selection set. */
  depth: number;
  aliases: number;
  directives: number;
  tokens: number;
}

const tooDeepMessage = (limit: number) => `Request JSON is nested deeper than ${limit} levels (JSON_MAX_DEPTH)`;

/** Refuses JSON text past the depth or value limit, before it is parsed. */
function checkJsonShape(json: Uint8Array, limits: InputLimits): void {
  const shape: JsonShapeLimits = { depth: limits.jsonDepth, values: limits.jsonValues };
  const problem = jsonShapeProblem(json, shape);
  if (problem === 'depth') throw new RequestRejected(tooDeepMessage(shape.depth));
  if (problem === 'values') throw new RequestRejected(`Request JSON holds more than ${shape.values} values (JSON_MAX_VALUES)`);
}

/** body-parser's `verify` hook: runs on the raw body, before JSON.parse. */
export const verifyJsonShape =
  (limits: InputLimits) =>
  (_req: unknown, _res: unknown, body: Buffer): void =>
    checkJsonShape(body, limits);

const LONE_SURROGATE = /\p{Surrogate}/u;

function textProblem(text: string): string | null {
  if (text.includes('\u0000')) return 'Variables hold a NUL character (U+0000)';
  // Not Unicode text: PostgreSQL refuses it in jsonb, and as text it would be stored as U+FFFD.
  if (LONE_SURROGATE.test(text)) return 'Variables hold a lone UTF-16 surrogate (U+D800-U+DFFF)';
  return null;
}

/**
 * Why parsed variables cannot be taken, or null: nested past `levels` (the walk goes no
 * deeper, so it cannot overflow the stack), a NUL character or a lone surrogate in a string
 * or a key, or a `__proto__` key or `constructor.prototype` path, which a merge anywhere
 * downstream (ours, a webhook receiver's, a notebook's) would turn into a prototype.
 */
function valueProblem(value: unknown, levels: number, limit: number): string | null {
  if (typeof value === 'string') return textProblem(value);
  if (typeof value !== 'object' || value === null) return null;
  if (levels === 0) return tooDeepMessage(limit);
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = valueProblem(item, levels - 1, limit);
      if (problem) return problem;
    }
    return null;
  }
  for (const [key, item] of Object.entries(value) as [string, unknown][]) {
    if (key === '__proto__') return 'Variables hold a __proto__ key';
    if (key === 'constructor' && typeof item === 'object' && item !== null && Object.hasOwn(item, 'prototype')) return 'Variables hold a constructor.prototype key';
    const problem = textProblem(key) ?? valueProblem(item, levels - 1, limit);
    if (problem) return problem;
  }
  return null;
}

/** The variables object counts as the second level, as in a POST body, whose object is the first. */
export const variablesProblem = (variables: unknown, jsonDepth: number): string | null => valueProblem(variables, jsonDepth - 1, jsonDepth);

/** The document limits the edge enforces, from the request limits. */
export const documentLimits = (limits: InputLimits): DocumentLimits => ({
  maxValueDepth: limits.jsonDepth,
  maxSelectionDepth: 2 * limits.depth + 1,
  maxTokens: limits.tokens,
  maxAliases: limits.aliases,
  maxDirectives: limits.directives,
});

/** What the guard reads of a request: a POST's parsed body, or a GET's query string. */
export interface GraphQLHttpInput {
  method: string;
  body: unknown;
  search: URLSearchParams;
}

/** GET carries variables and extensions as JSON text in the query string; Apollo parses them itself. */
function variablesOfGet(search: URLSearchParams, limits: InputLimits): unknown {
  for (const name of ['variables', 'extensions']) {
    for (const text of search.getAll(name)) checkJsonShape(Buffer.from(text), limits);
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
 * fail deep inside it: JSON nested past the limit or holding too many values (POST
 * bodies are checked by verifyJsonShape), documents nested past it or far past the query depth limit (before
 * graphql-js's recursive parser sees them), and what variablesProblem refuses. Throws RequestRejected.
 */
export function inputGuard(limits: InputLimits): (input: GraphQLHttpInput) => void {
  // Clients send the same few documents again and again: a document found fine once is not scanned again.
  const fine = new LRUCache<string, true>({ maxSize: 8_000_000, sizeCalculation: (_fine, query) => query.length + 64 });
  return ({ method, body, search }) => {
    const get = method === 'GET';
    const request = get ? null : (body as Record<string, unknown> | undefined);
    const variables = get ? variablesOfGet(search, limits) : request?.variables;
    const refusal = variablesProblem(variables, limits.jsonDepth);
    if (refusal) throw new RequestRejected(refusal);
    const query = get ? search.get('query') : request?.query;
    if (typeof query === 'string' && !fine.has(query)) {
      const problem = documentProblem(query, documentLimits(limits));
      if (problem) throw new RequestRejected(problem);
      fine.set(query, true);
    }
  };
}
