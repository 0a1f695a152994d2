import { parse } from 'node:url';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import type { Request, RequestHandler, Response } from 'express';

/** Answers shorter than this go out as they are: compressing them costs more than it saves. */
const COMPRESS_FROM_BYTES = 1024;

/**
 * Apollo on an Express route, as @as-integrations/express5 does it, but cheaper per request:
 * the answer is written with `res.end` (Express's `send` would hash every answer for an
 * ETag no POST uses) and only an answer long enough to gain from it passes through
 * `compress` (the compression middleware), which then negotiates the encoding.
 */
export function apolloHandler<C extends BaseContext>(apollo: ApolloServer<C>, context: (req: Request, res: Response) => Promise<C>, compress: RequestHandler): RequestHandler {
  apollo.assertStarted('apolloHandler()');
  const written = () => undefined;
  return async (req, res) => {
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const answer = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method.toUpperCase(), headers, search: parse(req.url).search ?? '', body: req.body as unknown },
      context: () => context(req, res),
    });
    for (const [key, value] of answer.headers) res.setHeader(key, value);
    res.statusCode = answer.status ?? 200;
    if (answer.body.kind === 'complete') {
      const body = answer.body.string;
      if (body.length < COMPRESS_FROM_BYTES) res.end(body);
      else await compress(req, res, () => res.end(body));
      return;
    }
    await compress(req, res, written);
    for await (const chunk of answer.body.asyncIterator) res.write(chunk);
    res.end();
  };
}
