import { rule } from 'graphql-shield';
import { hasRole, seesEveryone } from '../auth/viewer';
import type { Context } from '../context';
import type { Exam, ExamAttempt, PerformanceMetrics, TeacherExamPermission } from '../entities';
import { Role } from '../entities/role';
import type { DashboardAlert, StudentDashboard, TeacherDashboard } from '../types/dashboard.types';
import type { ExamAnalytics, ExamAnalyticsStudent } from '../types/exam-analytics.types';
import { whenReady } from '../loaders/settled';
import { rowRule } from './row-rule';
import { seesStudentRecord } from './user.scope';

/*
 * Layer two for exams: per-row rules. Each reads the request's loaders, so checking a page
 * of rows costs one statement, and each uses `no_cache` because it depends on the row.
 */

/** The viewer's rights on an exam: at once when the request has already read them. */
const access = (ctx: Context, examId: string) => ctx.loaders.examAccess(ctx.viewer!).now(examId);

/** A record of this student, under studentRecordSql: answered at once when the viewer alone decides or the student's profile is loaded. */
function seesRecordOf(ctx: Context, studentId: string): boolean | Promise<boolean> {
  const viewer = ctx.viewer;
  if (!viewer) return false;
  if (viewer.user.id === studentId || seesEveryone(viewer)) return seesStudentRecord(viewer, { id: studentId, cohort: null });
  return whenReady(ctx.loaders.studentProfileByUserId.now(studentId), (profile) => seesStudentRecord(viewer, { id: studentId, cohort: profile?.cohort }));
}

export const canViewExam = rowRule('canViewExam', (exam: Exam, ctx) => ctx.viewer !== null && whenReady(access(ctx, exam.id), (a) => a.view));

/** The rubric's answer key and the grants: for those who may edit the exam, and overseers. */
export const canReadExamInternals = rule('canReadExamInternals', { cache: 'no_cache' })(
  async (exam: Exam, _a, ctx: Context) => ctx.viewer !== null && (seesEveryone(ctx.viewer) || (await access(ctx, exam.id)).edit),
);

/** Teacher accounts and raw proctoring data are for staff, never for students. */
export const isStaff = rule('isStaff', { cache: 'contextual' })(
  (_p, _a, ctx: Context) => hasRole(ctx.viewer, Role.TEACHER, Role.ADMIN, Role.AUDITOR),
);

export const canViewAttempt = rowRule('canViewAttempt', (attempt: ExamAttempt, ctx) => {
  if (!ctx.viewer) return false;
  if (seesEveryone(ctx.viewer) || attempt.student.id === ctx.viewer.user.id) return true;
  return ctx.viewer.user.role === Role.TEACHER && whenReady(access(ctx, attempt.exam.id), (a) => a.view);
});

/**
 * Per-question results reveal the answer key: the student only once review is open for
 * them (see reviewOpenLoader), teachers only if they may edit the exam (as for the rubric).
 */
export const canSeeReview = rule('canSeeReview', { cache: 'no_cache' })(async (attempt: ExamAttempt, _a, ctx: Context) => {
  if (!ctx.viewer) return false;
  if (seesEveryone(ctx.viewer)) return true;
  if (attempt.student.id === ctx.viewer.user.id) return ctx.loaders.reviewOpen(ctx.viewer).load(attempt.exam.id);
  return (await access(ctx, attempt.exam.id)).edit;
});

export const canSeeGrant = rule('canSeeGrant', { cache: 'no_cache' })(async (grant: TeacherExamPermission, _a, ctx: Context) => {
  if (!ctx.viewer) return false;
  if (seesEveryone(ctx.viewer) || grant.teacher.id === ctx.viewer.user.id) return true;
  return (await access(ctx, grant.exam.id)).edit;
});

export const canSeeMetrics = rowRule('canSeeMetrics', (metrics: PerformanceMetrics, ctx) => seesRecordOf(ctx, metrics.student.id));

export const canSeeAnalytics = rowRule(
  'canSeeAnalytics',
  (row: ExamAnalytics | ExamAnalyticsStudent, ctx) => ctx.viewer !== null && whenReady(access(ctx, row.examId), (a) => a.analytics),
);

export const canSeeStudentDashboard = rowRule('canSeeStudentDashboard', (dashboard: StudentDashboard, ctx) => seesRecordOf(ctx, dashboard.studentId));

export const ownsTeacherDashboard = rowRule(
  'ownsTeacherDashboard',
  (dashboard: TeacherDashboard | DashboardAlert, ctx) => ctx.viewer?.user.id === dashboard.teacherId,
);
