import type { CredentialProbe } from '../auth/credential-probe';
import type { PendingResponse } from '../cache/response-cache.middleware';
import type { QueryCount } from '../db/query-counter';

/** What the middleware learns about one POST /graphql before Apollo builds its context. */
export interface HttpRequestState {
  requestId: string;
  /** SQL statements issued for this request so far. */
  queryCount: QueryCount;
  /** Set by the response cache's lookup: the credential it found good, so authentication does not check it again. */
  credentialProbe?: CredentialProbe;
  /** Set by the response cache's lookup on a miss: where the answer is to be stored. */
  responseCache?: PendingResponse;
}

declare global {
  // Express types res.locals through this interface; `state` is set first thing on /graphql.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      state: HttpRequestState;
    }
  }
}
