import { hasRole, hasScope, type Viewer } from '../auth/viewer';
import { Role } from '../entities/role';
import { columnEquals, everyRow, type SqlCondition } from './sql-condition';

/** Who may manage webhooks: admins, and staff accounts through an API key with `subscribe`. */
export const managesWebhooks = (viewer: Viewer) =>
  hasRole(viewer, Role.ADMIN) || (viewer.via === 'apiKey' && hasScope(viewer, 'subscribe') && hasRole(viewer, Role.TEACHER, Role.AUDITOR));

/**
 * The one access predicate for webhooks, and so for their deliveries (alias `w`, a webhooks
 * row): an admin all, anyone else their own. The service reads and locks webhooks under it;
 * the row rules answer it from the row's owner.
 */
export const webhookVisibleSql = (viewer: Viewer, w: string): SqlCondition =>
  hasRole(viewer, Role.ADMIN) ? everyRow : columnEquals(w, 'owner_id', viewer.user.id);
