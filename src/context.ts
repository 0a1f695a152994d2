import type { EntityManager } from '@mikro-orm/postgresql';
import type { PendingResponse } from './cache/response-cache.middleware';
import type { Viewer } from './auth/viewer';
import type { QueryCount } from './db/query-counter';
import { createLoaders, type Loaders } from './loaders';
import type { Services } from './services';
import { sourceOfRequest, type AuditSource } from './services/audit.service';
import type { RequestReport } from './metrics/metrics';

/** A subscription's WebSocket connection, as its resolvers see it. */
export interface LiveConnection {
  /**
   * A context as of now for delivering the next event: the credential checked again, fresh
   * loaders. Null once the credential is gone; the connection is then closed with a reason.
   */
  refresh(): Promise<Context | null>;
  /** Closes the connection (graphql-ws close codes; 1013 asks the client to come back later). */
  close(code: number, reason: string): void;
  /** The same for connections that presented the same credential, whose refresh() answers alike. */
  credentialKey: string;
  /**
   * The viewer the last refresh() accepted, while it still holds without asking: no change
   * of access announced since, and not long ago. Null when that is not known.
   */
  remembered(): Viewer | null;
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
  /** Set for requests over HTTP: what their metrics and log line say of them. */
  report: RequestReport | null;
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
  /** The request's EntityManager, or how to fork one when a resolver first needs it. */
  em: EntityManager | (() => EntityManager);
  viewer: Viewer | null;
  authError: string | null;
  services: Services;
  requestId: string;
  queryCount: QueryCount;
  ip: string;
  userAgent: string | null;
  responseCache?: PendingResponse | null;
  live?: LiveConnection | null;
  report?: RequestReport | null;
  /**
   * Loaders made on `em` and shared with other contexts (subscription deliveries of one turn,
   * delivery-sharing.ts); by default a context makes its own on first use.
   */
  loaders?: Loaders;
}

/**
 * Notes rows as visible by construction (see Context.visibleRows): only rows that came from
 * a query under their aggregate's access predicate, or that a visible row leads to.
 */
export function knownVisible<T extends object>(ctx: Pick<Context, 'visibleRows'>, rows: Iterable<T>): void {
  for (const row of rows) ctx.visibleRows.add(row);
}

/**
 * A request's context. The EntityManager and the loaders are made when first used: forking
 * costs MikroORM two configuration writes (each sets an environment variable), and the
 * loaders are two dozen DataLoaders and factories, together a tenth of `{ me { id } }`,
 * which needs neither. They are getters on the prototype because Apollo copies the
 * context's own properties (Object.assign) before executing, which would call them.
 */
class RequestContext implements Context {
  viewer: Viewer | null;
  authError: string | null;
  services: Services;
  requestId: string;
  queryCount: QueryCount;
  ip: string;
  userAgent: string | null;
  audit: AuditSource;
  responseCache: PendingResponse | null;
  live: LiveConnection | null;
  report: RequestReport | null;
  signedIn: string | null = null;
  visibleRows = new WeakSet<object>();
  private readonly fork: (() => EntityManager) | null;
  private forked: EntityManager | null;
  private madeLoaders: Loaders | null;

  constructor(state: RequestState) {
    const given = state.em;
    this.fork = typeof given === 'function' ? given : null;
    this.forked = typeof given === 'function' ? null : given;
    this.viewer = state.viewer;
    this.authError = state.authError;
    this.services = state.services;
    this.requestId = state.requestId;
    this.queryCount = state.queryCount;
    this.ip = state.ip;
    this.userAgent = state.userAgent;
    this.audit = sourceOfRequest(state.viewer, { requestId: state.requestId, ip: state.ip, userAgent: state.userAgent });
    this.responseCache = state.responseCache ?? null;
    this.live = state.live ?? null;
    this.report = state.report ?? null;
    this.madeLoaders = state.loaders ?? null;
  }

  get em(): EntityManager {
    return (this.forked ??= this.fork!());
  }

  get loaders(): Loaders {
    return (this.madeLoaders ??= createLoaders(this.em));
  }
}

/** The context of one HTTP request, or of one delivery of a subscription. */
export const createContext = (state: RequestState): Context => new RequestContext(state);
