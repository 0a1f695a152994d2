import type { MikroORM } from '@mikro-orm/postgresql';
import type { NextFunction, Request, Response } from 'express';
import { credentialFrom } from '../auth/authenticate';
import { probeCredential } from '../auth/credential-probe';
import type { TokenService } from '../auth/tokens';
import type { QueryCount } from '../db/query-counter';
import { graphQLRequestBody, type ResponseCache } from './response-cache';

/** A looked-up request that missed: its key, and the body the Apollo plugin hands over. */
export interface PendingResponse {
  key: string;
  body?: string;
}

/**
 * Answers a POST /graphql from the cache when the same principal asked the same thing
 * against the same database snapshot; otherwise passes it on to Apollo with the probe (so
 * authentication does not repeat the revocation check) and the key to store under.
 * Anonymous requests and refused credentials go straight on: Apollo explains the refusal.
 */
export function responseCacheLookup(cache: ResponseCache, orm: MikroORM, tokens: TokenService) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const request = req.method === 'POST' ? graphQLRequestBody(req.body) : null;
    const credential = credentialFrom(req.headers);
    if (!request || !credential) return next();
    const probe = await probeCredential(orm.em.fork(), tokens, credential);
    if (!probe) return next();
    res.locals.credentialProbe = probe;
    const key = cache.keyOf(probe, request, req.headers.accept ?? '');
    const hit = cache.get(key);
    if (hit) {
      res.status(200).set({
        'content-type': hit.contentType,
        'x-assay-cache': 'hit',
        'x-sql-statements': String((res.locals.queryCount as QueryCount).statements),
        vary: 'Accept-Encoding',
      });
      // Compressed once per entry rather than on every hit; the compression middleware leaves an encoded body alone.
      if (req.acceptsEncodings('gzip')) {
        res.set('content-encoding', 'gzip').end(cache.gzipped(key, hit));
      } else {
        res.end(hit.body);
      }
      return;
    }
    const pending: PendingResponse = { key };
    res.locals.responseCache = pending;
    res.setHeader('x-assay-cache', 'miss');
    res.on('finish', () => {
      const contentType = res.getHeader('content-type');
      if (pending.body !== undefined && res.statusCode === 200 && typeof contentType === 'string') {
        cache.set(key, { body: Buffer.from(pending.body), contentType });
      }
    });
    next();
  };
}
