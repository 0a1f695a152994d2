import type { FilterQuery } from '@mikro-orm/core';
import { seesEveryone, type Viewer } from '../auth/viewer';
import type { User } from '../entities';
import { Role } from '../entities/role';
import { examVisibleSql } from './exam.scope';
import { allOf, columnEquals, columnIn, everyRow, filterOf, holdsFor, oneRow, type SqlCondition } from './sql-condition';

/**
 * The one access predicate for the records kept per student (alias `sp`, a student_profiles
 * row; performance metrics, dashboards and risk summaries go by their student's): admins and
 * auditors all, a teacher those of the cohorts they teach, a student their own. A row in
 * memory answers it from its student and cohort (`seesStudentRecord`).
 */
export function studentRecordSql(viewer: Viewer, sp: string): SqlCondition {
  if (seesEveryone(viewer)) return everyRow;
  if (viewer.user.role === Role.TEACHER) return columnIn(sp, 'cohort', viewer.cohortsTaught);
  return columnEquals(sp, 'user_id', viewer.user.id);
}

/** Whether the viewer may see the records of this student, whose cohort the caller read (null: none). */
export const seesStudentRecord = (viewer: Viewer, student: { id: string; cohort: string | null | undefined }): boolean =>
  holdsFor(studentRecordSql(viewer, 'sp'), { user_id: student.id, cohort: student.cohort ?? null });

/**
 * Students in a viewer's care (alias `u`): those whose records the viewer may see. The
 * `students` list, a student's dashboard and new assessments go by it; it is narrower than
 * who may be seen.
 */
export function studentsInCareSql(viewer: Viewer, u: string): SqlCondition {
  const student = { sql: `${u}.role = ?`, params: [Role.STUDENT] };
  const record = studentRecordSql(viewer, 'sp');
  if (record === everyRow) return student;
  return allOf(student, { sql: `exists (select 1 from student_profiles sp where sp.user_id = ${u}.id and ${record.sql})`, params: record.params });
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
