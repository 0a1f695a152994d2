import type { FilterQuery } from '@mikro-orm/core';
import { seesEveryone, type Viewer } from '../auth/viewer';
import type { Exam, ExamAttempt } from '../entities';
import { Role } from '../entities/role';
import { everyRow, filterOf, noRow, type SqlCondition } from './sql-condition';

/**
 * Layer one of row-level access for exams and attempts: SQL conditions on an exam row
 * (alias `e`), shared by list scopes, lookups and the per-row loaders, so every path asks
 * the same question.
 *
 * - admins and auditors: every exam;
 * - a teacher: exams they created, and exams another teacher granted them `canView` on;
 * - a student: published exams whose creator teaches the student's cohort, and any exam
 *   they already have an attempt on (so their history stays readable if a teacher moves).
 */
export function examVisibleSql(viewer: Viewer, e: string): SqlCondition {
  const id = viewer.user.id;
  if (seesEveryone(viewer)) return everyRow;
  if (viewer.user.role === Role.TEACHER) {
    return {
      sql: `(${e}.creator_id = ? or exists (select 1 from teacher_exam_permissions g
              where g.exam_id = ${e}.id and g.teacher_id = ? and g.can_view))`,
      params: [id, id],
    };
  }
  if (viewer.user.role === Role.STUDENT) {
    const available = examAvailableSql(viewer, e);
    return {
      sql: `(${available.sql} or exists (select 1 from exam_attempts own where own.exam_id = ${e}.id and own.student_id = ?))`,
      params: [...available.params, id],
    };
  }
  return noRow;
}

/** Exams set by a teacher of the student's cohort, published or not. */
export function examForStudentSql(viewer: Viewer, e: string): SqlCondition {
  if (viewer.user.role !== Role.STUDENT) return noRow;
  return {
    sql: `exists (select 1 from teacher_profiles tp join student_profiles sp on sp.cohort = any (tp.cohorts_taught)
            where tp.user_id = ${e}.creator_id and sp.user_id = ?)`,
    params: [viewer.user.id],
  };
}

/** Exams a student may start: published, by a teacher of the student's cohort. */
export function examAvailableSql(viewer: Viewer, e: string): SqlCondition {
  const forStudent = examForStudentSql(viewer, e);
  return { sql: `(${e}.is_published and ${forStudent.sql})`, params: forStudent.params };
}

/** Exams the viewer may see, as a MikroORM filter. */
export const visibleExams = (viewer: Viewer): FilterQuery<Exam> => filterOf('exams', 'e', examVisibleSql(viewer, 'e'));

/** Exams a student may start now. */
export const availableExams = (viewer: Viewer): FilterQuery<Exam> => filterOf('exams', 'e', examAvailableSql(viewer, 'e'));

/**
 * Attempts the viewer may see (alias `a`): admins and auditors all, students their own,
 * teachers those on exams they may view, whoever the student.
 */
export function attemptVisibleSql(viewer: Viewer, a: string): SqlCondition {
  if (seesEveryone(viewer)) return everyRow;
  if (viewer.user.role === Role.STUDENT) return { sql: `${a}.student_id = ?`, params: [viewer.user.id] };
  if (viewer.user.role !== Role.TEACHER) return noRow;
  const exam = examVisibleSql(viewer, 've');
  return { sql: `${a}.exam_id in (select ve.id from exams ve where ${exam.sql})`, params: exam.params };
}

/** The same rule as attemptVisibleSql, as a MikroORM filter. */
export function visibleAttempts(viewer: Viewer): FilterQuery<ExamAttempt> {
  if (seesEveryone(viewer)) return {};
  if (viewer.user.role === Role.STUDENT) return { student: viewer.user.id };
  return filterOf('exams', 'e', examVisibleSql(viewer, 'e'), 'exam');
}
