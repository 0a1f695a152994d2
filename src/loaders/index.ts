import type { EntityManager } from '@mikro-orm/postgresql';
import { AuditLog, Project, StudentProfile, TeacherProfile, User } from '../entities';
import { loaderByColumn, plainLoaderByColumn } from './by-column';
import { createQuestLoaders } from './quest.loaders';
import { assessmentLoaders } from './assessment.loaders';
import { createExamLoaders } from './exam.loaders';
import { createMonitoringLoaders } from './monitoring.loaders';
import { perViewer } from './per-viewer';
import { visibility } from './visibility';
import { userVisibleSql } from '../permissions/user.scope';

/**
 * Fresh per request, or per turn of subscription deliveries (delivery-sharing.ts), which
 * share one set among viewers: rows are cached for whoever uses the set, and whatever
 * depends on the viewer is keyed by viewer (perViewer), so a shared set shares rows, never rights.
 */
export function createLoaders(em: EntityManager) {
  // Users and profiles are only read here: plain rows, never the password hash.
  const studentProfileByUserId = plainLoaderByColumn(em, StudentProfile, 'student_profiles', 'user_id');
  return {
    userById: plainLoaderByColumn(em, User, 'users', 'id'),
    /** Whether a user (by id) passes the viewer's access predicate. */
    userVisible: perViewer((viewer) => visibility(em, 'users', 'u', userVisibleSql(viewer, 'u'))),
    studentProfileByUserId,
    teacherProfileByUserId: loaderByColumn(em, TeacherProfile, 'user', (p) => p.user.id),
    projectById: loaderByColumn(em, Project, 'id', (p) => p.id),
    auditLogById: loaderByColumn(em, AuditLog, 'id', (a) => a.id),
    ...createQuestLoaders(em),
    ...assessmentLoaders(em),
    ...createExamLoaders(em, studentProfileByUserId),
    ...createMonitoringLoaders(em),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
