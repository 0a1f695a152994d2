import type { IncomingMessage } from 'node:http';
import type { CredentialProbe } from '../auth/credential-probe';
import type { PendingResponse } from '../cache/response-cache.middleware';
import type { QueryCount } from '../db/query-counter';
import type { RequestReport } from '../metrics/metrics';

/** A request to /graphql: a POST's body is parsed into `body` before anything reads it. */
export type GraphQLHttpRequest = IncomingMessage & { body?: unknown };

/** What the pipeline learns about one request to /graphql before Apollo builds its context. */
export interface HttpRequestState {
  requestId: string;
  /** The caller's address, through trusted proxies (TRUST_PROXY). */
  ip: string;
  /** SQL statements issued for this request so far. */
  queryCount: QueryCount;
  /** What the request's metrics and log line say of it; filled in as the pipeline learns it. */
  report: RequestReport;
  /** Set by the response cache's lookup: the credential it found good, so authentication does not check it again. */
  credentialProbe?: CredentialProbe;
  /** Set by the response cache's lookup on a miss: where the answer is to be stored. */
  responseCache?: PendingResponse;
}
