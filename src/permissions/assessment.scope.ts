import type { FilterQuery } from '@mikro-orm/core';
import { seesEveryone, type Viewer } from '../auth/viewer';
import type { SkillAssessment } from '../entities';
import { visibleUsers } from './scope';

/**
 * The assessments a viewer may read, as a query filter: those of the students the viewer
 * may see (a student themself, a teacher the cohorts taught, admins and auditors all).
 */
export function visibleAssessments(viewer: Viewer): FilterQuery<SkillAssessment> {
  if (seesEveryone(viewer)) return {};
  return { student: visibleUsers(viewer) };
}
