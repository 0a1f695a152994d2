import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import proxyAddr from 'proxy-addr';
import type { ResponseCacheLookup } from '../cache/response-cache.middleware';
import { credentialFrom } from '../auth/authenticate';
import { looksLikeApiKey } from '../auth/api-key-format';
import { withQueryCount } from '../db/query-counter';
import type { RequestReport } from '../metrics/metrics';
import { answerEdgeError, type EdgeError } from './http-error';
import type { GraphQLHttpInput } from './input-guard';
import type { GraphQLHttpRequest, HttpRequestState } from './request-state';
import type { HeaderSetter } from './security-headers';

/** A connect-style middleware (cors, body-parser): it ends the response, or calls `next`. */
export type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: Error) => void) => void;

export interface GraphQLRouteOptions {
  /** Security and cache headers, set on every answer. */
  headers: HeaderSetter;
  cors: Middleware;
  /** Parses a JSON body into req.body (body-parser's json, with its limit and depth check). */
  readBody: Middleware;
  guard: (input: GraphQLHttpInput) => void;
  cache: ResponseCacheLookup | null;
  execute: (req: GraphQLHttpRequest, res: ServerResponse, state: HttpRequestState) => Promise<void>;
  trustProxy: boolean;
  bodyLimit: string;
  /** Called once the answer is sent, refused at the edge included: for metrics and the request's log line. */
  answered: (answer: { requestId: string; report: RequestReport; status: number; seconds: number; statements: number }) => void;
}

/** Resolves true when the middleware calls `next`, false when it answered the request itself (a CORS preflight). */
function step(middleware: Middleware, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  return new Promise((resolve, reject) => {
    middleware(req, res, (error) => (error ? reject(error) : resolve(true)));
    if (res.writableEnded) resolve(false);
  });
}

const requestIdOf = (header: string | string[] | undefined) =>
  typeof header === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(header) ? header : randomUUID();

/** The kind of credential a request presents (before it is checked), never the credential. */
function principalKind(req: IncomingMessage): string {
  const credential = credentialFrom(req.headers);
  if (!credential) return 'anonymous';
  return looksLikeApiKey(credential) ? 'api_key' : 'token';
}

/** Reads the caller's address through trusted proxies (TRUST_PROXY) or, untrusted, from the socket. */
export const proxyTrust = (trustProxy: boolean) => (trustProxy ? () => true : proxyAddr.compile([]));

/** The state of a new request over HTTP, before its credential is checked: request id, the caller's address, an empty statement count and report. */
export function newRequestState(req: IncomingMessage, trust: ReturnType<typeof proxyTrust>): HttpRequestState {
  return {
    requestId: requestIdOf(req.headers['x-request-id']),
    ip: proxyAddr(req, trust),
    queryCount: { statements: 0 },
    report: { operation: null, principal: principalKind(req), errors: 0 },
  };
}

/** Whether a request's path is the GraphQL endpoint's: /graphql, with or without a slash or a query string. */
export function isGraphQLPath(url: string | undefined): boolean {
  if (!url?.startsWith('/graphql')) return false;
  const rest = url.slice('/graphql'.length);
  return rest === '' || rest === '/' || rest.startsWith('?') || rest.startsWith('/?');
}

/**
 * Every request to /graphql, on node:http without Express (whose router and request
 * objects cost more than the rest of a small query): headers, CORS, the body, the input
 * guard, then a typed request state (request id, caller's address, statement counter) that
 * the response cache and Apollo's context read. Errors before Apollo are answered in one place.
 */
export function graphQLRoute(options: GraphQLRouteOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const trust = proxyTrust(options.trustProxy);
  const handle = async (req: GraphQLHttpRequest, res: ServerResponse) => {
    const started = performance.now();
    const state = newRequestState(req, trust);
    const { requestId } = state;
    res.once('finish', () =>
      options.answered({ requestId, report: state.report, status: res.statusCode, seconds: (performance.now() - started) / 1000, statements: state.queryCount.statements }),
    );
    options.headers(res);
    res.setHeader('x-request-id', requestId);
    if (!(await step(options.cors, req, res))) return;
    if (!(await step(options.readBody, req, res))) return;
    const url = req.url ?? '';
    const query = url.indexOf('?');
    const search = new URLSearchParams(query < 0 ? '' : url.slice(query + 1));
    const named = req.method === 'GET' ? search.get('operationName') : (req.body as { operationName?: unknown } | undefined)?.operationName;
    if (typeof named === 'string') state.report.operation = named;
    options.guard({ method: req.method ?? 'GET', body: req.body, search });
    // Started after the body is read, so every statement of the request counts against it.
    await withQueryCount(state.queryCount, async () => {
      if (await options.cache?.(req, res, state)) return;
      await options.execute(req, res, state);
    });
  };
  return (req, res) => {
    handle(req, res).catch((error: EdgeError) => answerEdgeError(res, error, options.bodyLimit));
  };
}
