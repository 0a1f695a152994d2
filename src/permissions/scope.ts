import type { FilterQuery } from '@mikro-orm/core';
import { seesEveryone, type Viewer } from '../auth/viewer';
import type { User } from '../entities';
import { Role } from '../entities/role';

/**
 * The users a viewer may see, as a query filter (layer one of row-level access):
 * admins and auditors everyone, a teacher themself and the students of the cohorts
 * they teach, anyone else only themself.
 */
export function visibleUsers(viewer: Viewer): FilterQuery<User> {
  if (seesEveryone(viewer)) return {};
  if (viewer.user.role === Role.TEACHER && viewer.cohortsTaught.length > 0) {
    return {
      $or: [
        { id: viewer.user.id },
        { role: Role.STUDENT, studentProfile: { cohort: { $in: [...viewer.cohortsTaught] } } },
      ],
    };
  }
  return { id: viewer.user.id };
}

/** The same rule for one already-loaded row (layer two, used by shield). */
export function canSeeStudentOfCohort(viewer: Viewer, cohort: string | null | undefined): boolean {
  return seesEveryone(viewer) || (viewer.user.role === Role.TEACHER && cohort != null && viewer.cohortsTaught.includes(cohort));
}
