import type { EntityManager } from '@mikro-orm/postgresql';
import type { PendingResponse } from './cache/response-cache.middleware';
import type { Viewer } from './auth/viewer';
import type { QueryCount } from './db/query-counter';
import { createLoaders, type Loaders } from './loaders';
import type { Services } from './services';
import { sourceOfRequest, type AuditSource } from './services/audit.service';

/** A subscription's WebSocket connection, as its resolvers see it. */
export interface LiveConnection {
  /**
   * A context as of now for delivering the next event: the credential checked again, fresh
   * loaders. Null once the credential is gone; the connection is then closed with a reason.
   */
  refresh(): Promise<Context | null>;
  /** Closes the connection (graphql-ws close codes; 1013 asks the client to come back later). */
  close(code: number, reason: string): void;
}

/** What every resolver and shield rule receives; built fresh for each request. */
export interface Context {
  em: EntityManager;
  viewer: Viewer | null;
  authError: string | null;
  loaders: Loaders;
  services: Services;
  requestId: string;
  /** SQL statements issued for this request so far (sent back as x-sql-statements). */
  queryCount: QueryCount;
  ip: string;
  userAgent: string | null;
  /** Who is acting, for audit entries written by this request. */
  audit: AuditSource;
  /** Set when this request may store its response in the response cache. */
  responseCache: PendingResponse | null;
  /** Set for subscriptions, over WebSocket. */
  live: LiveConnection | null;
  /**
   * The account that proved its credentials in this request (login, register, refresh):
   * its rows in the answer read as the caller's own, since no viewer exists yet.
   */
  signedIn: string | null;
  /**
   * Rows known visible to this viewer by construction: returned by a query under their
   * aggregate's access predicate, or reached from a visible row through a relation its
   * rule covers. Row rules (rowRule) allow them without asking again.
   */
  visibleRows: WeakSet<object>;
}

export interface RequestState {
  em: EntityManager;
  viewer: Viewer | null;
  authError: string | null;
  services: Services;
  requestId: string;
  queryCount: QueryCount;
  ip: string;
  userAgent: string | null;
  responseCache?: PendingResponse | null;
  live?: LiveConnection | null;
}

/**
 * Notes rows as visible by construction (see Context.visibleRows): only rows that came from
 * a query under their aggregate's access predicate, or that a visible row leads to.
 */
export function knownVisible<T extends object>(ctx: Pick<Context, 'visibleRows'>, rows: Iterable<T>): void {
  for (const row of rows) ctx.visibleRows.add(row);
}

/** The context of one HTTP request, or of one delivery of a subscription. */
export function createContext(state: RequestState): Context {
  return {
    ...state,
    loaders: createLoaders(state.em),
    audit: sourceOfRequest(state.viewer, { requestId: state.requestId, ip: state.ip, userAgent: state.userAgent }),
    responseCache: state.responseCache ?? null,
    live: state.live ?? null,
    signedIn: null,
    visibleRows: new WeakSet(),
  };
}
