import type { EntityManager } from '@mikro-orm/postgresql';
import type { PendingResponse } from './cache/response-cache.middleware';
import type { Viewer } from './auth/viewer';
import type { QueryCount } from './db/query-counter';
import type { Loaders } from './loaders';
import type { Services } from './services';
import type { AuditSource } from './services/audit.service';

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
}
