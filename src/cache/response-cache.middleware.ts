import type { ServerResponse } from 'node:http';
import accepts from 'accepts';
import { credentialFrom } from '../auth/authenticate';
import type { CredentialProber } from '../auth/credential-probe';
import type { RelationCatalog } from './read-set';
import { graphQLRequestBody, type ResponseCache } from './response-cache';
import { versionOf } from '../db/table-versions';
import type { GraphQLHttpRequest, HttpRequestState } from '../http/request-state';
import { responseCacheLookups } from '../metrics/metrics';

/** A looked-up request that missed: its key, and the body the Apollo plugin hands over. */
export interface PendingResponse {
  key: string;
  body?: string;
}

/**
 * The tables the viewer is made from. Scoping reads them in memory (a teacher's cohorts
 * travel as a parameter), so every answer depends on them even when its SQL does not say
 * so. A key's scopes are in the principal instead (credential-probe.ts).
 */
const VIEWER_TABLES = ['users', 'teacher_profiles'];

/**
 * Answers a POST /graphql from the cache when the same principal asked the same thing and
 * no table the stored answer read has been written since (resolving true); otherwise
 * resolves false, leaving in `state` for Apollo the probe (so authentication does not
 * repeat the revocation check) and the key to store under, and collecting the statements'
 * texts for the read set. Anonymous requests, refused credentials and documents whose answer
 * could never be stored (mutations) go straight on, without a statement here: Apollo's
 * authentication recalls the credential from the access registry or explains a refusal.
 * With `diagnostics`, answers say whether they were hits and how many statements ran.
 */
export type ResponseCacheLookup = (req: GraphQLHttpRequest, res: ServerResponse, state: HttpRequestState) => Promise<boolean>;

export function responseCacheLookup(
  cache: ResponseCache,
  prober: CredentialProber,
  catalog: RelationCatalog,
  cacheable: (query: string, operationName: string | null | undefined) => boolean,
  diagnostics: boolean,
): ResponseCacheLookup {
  return async (req, res, state) => {
    const request = req.method === 'POST' ? graphQLRequestBody(req.body) : null;
    const credential = credentialFrom(req.headers);
    if (!request || !credential || !cacheable(request.query, request.operationName)) return false;
    const probe = await prober.probe(credential);
    if (!probe) return false;
    state.credentialProbe = probe;
    const { snapshot } = probe;
    const key = cache.keyOf(probe, request, req.headers.accept ?? '');
    let hit = cache.get(key, snapshot.versions);
    if (!hit) {
      const computing = cache.computingFor(key, snapshot.versionsText);
      if (computing) hit = await computing;
    }
    responseCacheLookups.inc({ result: hit ? 'hit' : 'miss' });
    if (hit) {
      const gzip = accepts(req).encoding('gzip') === 'gzip';
      const body = gzip ? cache.gzipped(key, hit) : hit.body;
      res.writeHead(200, {
        'content-type': hit.contentType,
        'content-length': body.length,
        ...(gzip ? { 'content-encoding': 'gzip' } : {}),
        vary: 'Accept-Encoding',
        ...(diagnostics ? { 'x-assay-cache': 'hit', 'x-sql-statements': String(state.queryCount.statements) } : {}),
      });
      res.end(body);
      return true;
    }
    const pending: PendingResponse = { key };
    state.responseCache = pending;
    const texts: string[] = [];
    state.queryCount.texts = texts;
    if (diagnostics) res.setHeader('x-assay-cache', 'miss');
    const done = cache.startComputing(key, snapshot.versionsText);
    res.on('finish', () => {
      const contentType = res.getHeader('content-type');
      const tables = pending.body !== undefined && res.statusCode === 200 ? catalog.readSet(texts) : null;
      if (!tables || typeof contentType !== 'string') return done();
      for (const table of VIEWER_TABLES) tables.add(table);
      const reads = Array.from(tables, (table) => [table, versionOf(snapshot.versions, table)] as const);
      done({ body: Buffer.from(pending.body!), contentType, reads });
    });
    // A request that fails or is cut off stores nothing, and its waiters execute for themselves.
    res.on('close', () => done());
    return false;
  };
}
