import { registerEnumType } from 'type-graphql';

/** What an audit entry records. Add new actions here; the database checks only the format. */
export enum AuditAction {
  LOGIN = 'LOGIN',
  LOGIN_FAILED = 'LOGIN_FAILED',
  /** A login or registration limit was used up; later refusals are counted, not logged. */
  RATE_LIMITED = 'RATE_LIMITED',
  /** The limit's window ended; `details.refused` counts the attempts it refused. */
  RATE_LIMIT_ENDED = 'RATE_LIMIT_ENDED',
  LOGOUT = 'LOGOUT',
  REGISTER = 'REGISTER',
  TOKEN_REUSE_DETECTED = 'TOKEN_REUSE_DETECTED',
  USER_CREATED = 'USER_CREATED',
  LOCK_USER = 'LOCK_USER',
  UNLOCK_USER = 'UNLOCK_USER',
  API_KEY_CREATED = 'API_KEY_CREATED',
  API_KEY_REVOKED = 'API_KEY_REVOKED',
  VIEW_STUDENT_DATA = 'VIEW_STUDENT_DATA',
  MODIFY_EXAM = 'MODIFY_EXAM',
  APPROVE_APPLICATION = 'APPROVE_APPLICATION',
  REJECT_APPLICATION = 'REJECT_APPLICATION',
  CLOSE_QUEST = 'CLOSE_QUEST',
  EXPORT = 'EXPORT',
  IMPORT = 'IMPORT',
  REPAIR = 'REPAIR',
  SEED = 'SEED',
  PROJECT_CREATED = 'PROJECT_CREATED',
  PROJECT_UPDATED = 'PROJECT_UPDATED',
  PROJECT_DELETED = 'PROJECT_DELETED',
  GOVERNANCE_MODE_CREATED = 'GOVERNANCE_MODE_CREATED',
  GOVERNANCE_MODE_RETIRED = 'GOVERNANCE_MODE_RETIRED',
  WORKFLOW_STARTED = 'WORKFLOW_STARTED',
  WORKFLOW_FINISHED = 'WORKFLOW_FINISHED',
  RETENTION_PURGE = 'RETENTION_PURGE',
  /** A month of monitoring events written to an archive file (details: the manifest). */
  MONITORING_ARCHIVED = 'MONITORING_ARCHIVED',
  /** An archived month of monitoring events dropped as a whole partition. */
  MONITORING_PRUNED = 'MONITORING_PRUNED',
  WEBHOOK_CREATED = 'WEBHOOK_CREATED',
  WEBHOOK_UPDATED = 'WEBHOOK_UPDATED',
  WEBHOOK_DELETED = 'WEBHOOK_DELETED',
}

export enum AuditActorKind {
  USER = 'USER',
  API_KEY = 'API_KEY',
  SYSTEM = 'SYSTEM',
  ANONYMOUS = 'ANONYMOUS',
}

registerEnumType(AuditAction, { name: 'AuditAction' });
registerEnumType(AuditActorKind, { name: 'AuditActorKind', description: 'Who acted: a user session, an API key, the system (CLI, jobs) or nobody signed in.' });
