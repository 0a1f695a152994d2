import type { FilterQuery } from '@mikro-orm/core';
import { seesEveryone, type Viewer } from '../auth/viewer';
import type { SkillAssessment } from '../entities';
import { Role } from '../entities/role';
import { everyRow, filterOf, noRow, type SqlCondition } from './sql-condition';

/**
 * The one access predicate for assessments (alias `a`), and so for their evidence: those
 * of the students the viewer may see. A student sees their own, a teacher those of students
 * in the cohorts they teach (as the database has them now), admins and auditors all.
 * Lists and lookups filter with it, the loaders' visibility check and the row rule ask it.
 */
export function assessmentVisibleSql(viewer: Viewer, a: string): SqlCondition {
  if (seesEveryone(viewer)) return everyRow;
  const me = viewer.user.id;
  if (viewer.user.role === Role.TEACHER) {
    return {
      sql: `(${a}.student_id = ? or exists (select 1 from users su
              join student_profiles sp on sp.user_id = su.id
              join teacher_profiles tp on sp.cohort = any (tp.cohorts_taught)
              where su.id = ${a}.student_id and su.role = 'STUDENT' and tp.user_id = ?))`,
      params: [me, me],
    };
  }
  if (viewer.user.role === Role.STUDENT) return { sql: `${a}.student_id = ?`, params: [me] };
  return noRow;
}

/** The predicate as a MikroORM filter. */
export const visibleAssessments = (viewer: Viewer): FilterQuery<SkillAssessment> =>
  filterOf('skill_assessments', 'a', assessmentVisibleSql(viewer, 'a'));
