import type { EntityManager } from '@mikro-orm/postgresql';
import { StudentProfile, TeacherProfile, User } from '../entities';
import { loaderByColumn } from './by-column';
import { createExamLoaders } from './exam-loaders';

/** Fresh per request: batching and caching never cross requests or viewers. */
export function createLoaders(em: EntityManager) {
  const studentProfileByUserId = loaderByColumn(em, StudentProfile, 'user', (p) => p.user.id);
  return {
    userById: loaderByColumn(em, User, 'id', (u) => u.id),
    studentProfileByUserId,
    teacherProfileByUserId: loaderByColumn(em, TeacherProfile, 'user', (p) => p.user.id),
    ...createExamLoaders(em, studentProfileByUserId),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
