import type { ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext, type HTTPGraphQLRequest, type HTTPGraphQLResponse } from '@apollo/server';
import type { GraphQLHttpRequest } from './request-state';

/** Answers shorter than this go out as they are: compressing them costs more than it saves. */
const COMPRESS_FROM_BYTES = 1024;

/** The compression middleware's shape: it wraps `res` and then calls `next`. */
export type Compress = (req: GraphQLHttpRequest, res: ServerResponse, next: () => void) => void;

/** A request's headers as Apollo reads them. */
export function headerMapOf(req: GraphQLHttpRequest): HeaderMap {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

/**
 * Runs a GraphQL request through Apollo (limits, shield, plugins, error formatting) in the
 * context of the HTTP request `req` came as: its credential, address and request state.
 */
export function apolloRunner<C extends BaseContext, S>(
  apollo: ApolloServer<C>,
  context: (req: GraphQLHttpRequest, state: S) => Promise<C>,
): (req: GraphQLHttpRequest, state: S, request: HTTPGraphQLRequest) => Promise<HTTPGraphQLResponse> {
  apollo.assertStarted('apolloRunner()');
  return (req, state, httpGraphQLRequest) => apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest, context: () => context(req, state) });
}

/**
 * Apollo on node:http, as its standalone server runs it: the answer is written with
 * `res.end`, and only an answer long enough to gain from it passes through `compress` (the
 * compression middleware), which then negotiates the encoding.
 */
export function apolloHandler<C extends BaseContext, S>(
  apollo: ApolloServer<C>,
  context: (req: GraphQLHttpRequest, state: S) => Promise<C>,
  compress: Compress,
): (req: GraphQLHttpRequest, res: ServerResponse, state: S) => Promise<void> {
  const run = apolloRunner(apollo, context);
  return async (req, res, state) => {
    const url = req.url ?? '';
    const query = url.indexOf('?');
    const answer = await run(req, state, { method: req.method?.toUpperCase() ?? 'GET', headers: headerMapOf(req), search: query < 0 ? '' : url.slice(query), body: req.body });
    for (const [key, value] of answer.headers) res.setHeader(key, value);
    res.statusCode = answer.status ?? 200;
    if (answer.body.kind === 'complete') {
      const body = answer.body.string;
      if (body.length < COMPRESS_FROM_BYTES) res.end(body);
      else compress(req, res, () => res.end(body));
      return;
    }
    const chunks = answer.body.asyncIterator;
    await new Promise<void>((resolve) => compress(req, res, resolve));
    for await (const chunk of chunks) res.write(chunk);
    res.end();
  };
}
