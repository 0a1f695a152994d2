import type { User } from '../entities';
import { Role } from '../entities/role';
import type { ApiScope } from './scopes';

/** Who is calling: a user through a session token, or through one of their API keys. */
export interface Viewer {
  /**
   * The user as authentication read them: a plain row, read-only, shared with other requests
   * that present the same credential. A write that needs the user as an entity takes its id
   * (em.getReference).
   */
  user: Readonly<User>;
  via: 'session' | 'apiKey';
  /** An API key's scopes; null for a session, which has the user's full rights. */
  scopes: ReadonlySet<ApiScope> | null;
  cohortsTaught: readonly string[];
  sessionId?: string;
  accessJti?: string;
  accessExpiresAt?: Date;
  apiKeyId?: string;
}

export const hasRole = (viewer: Viewer | null | undefined, ...roles: Role[]) =>
  viewer != null && roles.includes(viewer.user.role);

export const seesEveryone = (viewer: Viewer) => hasRole(viewer, Role.ADMIN, Role.AUDITOR);

export const hasScope = (viewer: Viewer, scope: ApiScope) => viewer.scopes === null || viewer.scopes.has(scope);
