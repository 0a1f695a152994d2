import { hasRole, hasScope, type Viewer } from '../auth/viewer';
import { Role } from '../entities/role';

/** Who may manage webhooks: admins, and staff accounts through an API key with `subscribe`. */
export const managesWebhooks = (viewer: Viewer) =>
  hasRole(viewer, Role.ADMIN) || (viewer.via === 'apiKey' && hasScope(viewer, 'subscribe') && hasRole(viewer, Role.TEACHER, Role.AUDITOR));

/** Whose webhooks the viewer sees: their own; an admin's, all. */
export const seesWebhookOf = (viewer: Viewer, ownerId: string) => hasRole(viewer, Role.ADMIN) || viewer.user.id === ownerId;
