import type { FilterQuery } from '@mikro-orm/core';
import { seesEveryone, type Viewer } from '../auth/viewer';
import type { User } from '../entities';
import { Role } from '../entities/role';
import { examVisibleSql } from './exam.scope';
import { allOf, everyRow, filterOf, oneRow, type SqlCondition } from './sql-condition';

/**
 * Students in a viewer's care (alias `u`): every student for admins and auditors, those of
 * the cohorts a teacher teaches (as the database has them now), a student themself. Narrower than who may be seen: the
 * `students` list, a student's dashboard and new assessments go by it.
 */
export function studentsInCareSql(viewer: Viewer, u: string): SqlCondition {
  const student = { sql: `${u}.role = ?`, params: [Role.STUDENT] };
  if (seesEveryone(viewer)) return student;
  if (viewer.user.role === Role.TEACHER) {
    return allOf(student, {
      sql: `exists (select 1 from student_profiles sp join teacher_profiles tp on sp.cohort = any (tp.cohorts_taught)
              where sp.user_id = ${u}.id and tp.user_id = ?)`,
      params: [viewer.user.id],
    });
  }
  return allOf(student, oneRow(u, viewer.user.id));
}

/**
 * Users a teacher meets through exams (alias `u`): creators of exams they may view,
 * students with attempts on those exams, and the teachers named in grants they may see
 * (their own, and those on exams they may edit).
 */
function metThroughExamsSql(viewer: Viewer, u: string): SqlCondition {
  const me = viewer.user.id;
  const viewable = examVisibleSql(viewer, 'le');
  return {
    sql: `(exists (select 1 from exams le where ${viewable.sql}
                 and (le.creator_id = ${u}.id or exists (select 1 from exam_attempts la where la.exam_id = le.id and la.student_id = ${u}.id)))
           or exists (select 1 from teacher_exam_permissions lg
                       where (lg.teacher_id = ${u}.id or lg.granted_by_id = ${u}.id)
                         and (lg.teacher_id = ? or exists (select 1 from exams ee where ee.id = lg.exam_id and (ee.creator_id = ? or exists (
                               select 1 from teacher_exam_permissions eg where eg.exam_id = ee.id and eg.teacher_id = ? and eg.can_edit))))))`,
    params: [...viewable.params, me, me, me],
  };
}

/**
 * The one access predicate for users (alias `u`): admins and auditors everyone; anyone
 * themself; a teacher also the students of the cohorts they teach and the users they meet
 * through exams. The lookup filters with it and the user row rule asks it; rows inside an
 * AuthPayload and users reached from a quest row have their own allowances (rules.ts,
 * quest.rules.ts).
 */
export function userVisibleSql(viewer: Viewer, u: string): SqlCondition {
  if (seesEveryone(viewer)) return everyRow;
  const self = oneRow(u, viewer.user.id);
  if (viewer.user.role !== Role.TEACHER) return self;
  const cohort = studentsInCareSql(viewer, u);
  const exams = metThroughExamsSql(viewer, u);
  return { sql: `(${self.sql} or ${cohort.sql} or ${exams.sql})`, params: [...self.params, ...cohort.params, ...exams.params] };
}

/** The predicate as a MikroORM filter. */
export const visibleUsers = (viewer: Viewer): FilterQuery<User> => filterOf('users', 'u', userVisibleSql(viewer, 'u'));

/** Students in the viewer's care, as a MikroORM filter. */
export const studentsInCare = (viewer: Viewer): FilterQuery<User> => filterOf('users', 'u', studentsInCareSql(viewer, 'u'));

/** The cohort part of studentsInCareSql, for a row already in memory that names its cohort. */
export function canSeeStudentOfCohort(viewer: Viewer, cohort: string | null | undefined): boolean {
  return seesEveryone(viewer) || (viewer.user.role === Role.TEACHER && cohort != null && viewer.cohortsTaught.includes(cohort));
}
