import type { EntityManager } from '@mikro-orm/postgresql';
import { AuditLog, Project, StudentProfile, TeacherProfile, User } from '../entities';
import { loaderByColumn, plainLoaderByColumn } from './by-column';
import { createQuestLoaders } from './quest.loaders';
import { assessmentLoaders } from './assessment.loaders';
import { createExamLoaders } from './exam.loaders';
import { createMonitoringLoaders } from './monitoring.loaders';
import { createGovernanceModeLoaders } from './governance-mode.loaders';
import { perViewer } from './per-viewer';
import { visibility } from './visibility';
import { userVisibleSql } from '../permissions/user.scope';
import { perTick, type Batching } from './batching';
import type { AccessRegistry } from '../auth/access-registry';

/**
 * Fresh per request, or per turn of subscription deliveries (delivery-sharing.ts, batched
 * per turn: batching.ts), which share one set among viewers: rows are cached for whoever
 * uses the set, and whatever depends on the viewer is keyed by viewer (perViewer), so a
 * shared set shares rows, never rights. Deliveries also take teachers' exam rights from the
 * access registry's memory (`examRights`), which notifications keep true.
 */
export function createLoaders(em: EntityManager, batching: Batching = perTick, examRights?: AccessRegistry) {
  // Users and profiles are only read here: plain rows, never the password hash.
  const studentProfileByUserId = plainLoaderByColumn(em, StudentProfile, 'student_profiles', 'user_id', batching);
  return {
    userById: plainLoaderByColumn(em, User, 'users', 'id', batching),
    /** Whether a user (by id) passes the viewer's access predicate. */
    userVisible: perViewer((viewer) => visibility(em, 'users', 'u', userVisibleSql(viewer, 'u'), batching)),
    studentProfileByUserId,
    teacherProfileByUserId: loaderByColumn(em, TeacherProfile, 'user', (p) => p.user.id, batching),
    projectById: loaderByColumn(em, Project, 'id', (p) => p.id, batching),
    auditLogById: loaderByColumn(em, AuditLog, 'id', (a) => a.id, batching),
    ...createQuestLoaders(em, batching),
    ...assessmentLoaders(em, batching),
    ...createExamLoaders(em, studentProfileByUserId, batching, examRights),
    ...createMonitoringLoaders(em, batching),
    ...createGovernanceModeLoaders(em, batching),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
