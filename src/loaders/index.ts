import type { EntityManager } from '@mikro-orm/postgresql';
import { AuditLog, Project, TeacherProfile } from '../entities';
import { loaderByColumn } from './by-column';
import { createQuestLoaders } from './quest.loaders';
import { assessmentLoaders } from './assessment.loaders';
import { createExamLoaders } from './exam.loaders';
import { createMonitoringLoaders } from './monitoring.loaders';
import { studentProfileRowsByUserId, userRowsById } from './user.loaders';

/** Fresh per request: batching and caching never cross requests or viewers. */
export function createLoaders(em: EntityManager) {
  const studentProfileByUserId = studentProfileRowsByUserId(em);
  return {
    userById: userRowsById(em),
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
