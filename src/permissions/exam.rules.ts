import { rule } from 'graphql-shield';
import { hasRole, seesEveryone } from '../auth/viewer';
import type { Context } from '../context';
import type { Exam, ExamAttempt, PerformanceMetrics, TeacherExamPermission } from '../entities';
import { Role } from '../entities/role';
import type { DashboardAlert, StudentDashboard, TeacherDashboard } from '../types/dashboard.types';
import type { ExamAnalytics, ExamAnalyticsStudent } from '../types/exam-analytics.types';
import { rowRule } from './row-rule';
import { canSeeStudentOfCohort } from './scope';

/*
 * Layer two for exams: per-row rules. Each reads the request's loaders, so checking a page
 * of rows costs one statement, and each uses `no_cache` because it depends on the row.
 */

const access = (ctx: Context, examId: string) => ctx.loaders.examAccess(ctx.viewer!).load(examId);

/** A student's own row, or one a teacher of the student's cohort (or an overseer) may see. */
async function seesStudentRecord(ctx: Context, studentId: string): Promise<boolean> {
  if (!ctx.viewer) return false;
  if (ctx.viewer.user.id === studentId || seesEveryone(ctx.viewer)) return true;
  const profile = await ctx.loaders.studentProfileByUserId.load(studentId);
  return canSeeStudentOfCohort(ctx.viewer, profile?.cohort);
}

export const canViewExam = rowRule('canViewExam', async (exam: Exam, ctx) => ctx.viewer !== null && (await access(ctx, exam.id)).view);

/** The rubric's answer key and the grants: for those who may edit the exam, and overseers. */
export const canReadExamInternals = rule('canReadExamInternals', { cache: 'no_cache' })(
  async (exam: Exam, _a, ctx: Context) => ctx.viewer !== null && (seesEveryone(ctx.viewer) || (await access(ctx, exam.id)).edit),
);

/** Teacher accounts and raw proctoring data are for staff, never for students. */
export const isStaff = rule('isStaff', { cache: 'contextual' })(
  (_p, _a, ctx: Context) => hasRole(ctx.viewer, Role.TEACHER, Role.ADMIN, Role.AUDITOR),
);

export const canViewAttempt = rowRule('canViewAttempt', async (attempt: ExamAttempt, ctx) => {
  if (!ctx.viewer) return false;
  if (seesEveryone(ctx.viewer) || attempt.student.id === ctx.viewer.user.id) return true;
  return ctx.viewer.user.role === Role.TEACHER && (await access(ctx, attempt.exam.id)).view;
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

export const canSeeMetrics = rule('canSeeMetrics', { cache: 'no_cache' })(
  (metrics: PerformanceMetrics, _a, ctx: Context) => seesStudentRecord(ctx, metrics.student.id),
);

export const canSeeAnalytics = rule('canSeeAnalytics', { cache: 'no_cache' })(
  async (row: ExamAnalytics | ExamAnalyticsStudent, _a, ctx: Context) => ctx.viewer !== null && (await access(ctx, row.examId)).analytics,
);

export const canSeeStudentDashboard = rule('canSeeStudentDashboard', { cache: 'no_cache' })(
  (dashboard: StudentDashboard, _a, ctx: Context) => seesStudentRecord(ctx, dashboard.studentId),
);

export const ownsTeacherDashboard = rule('ownsTeacherDashboard', { cache: 'no_cache' })(
  (dashboard: TeacherDashboard | DashboardAlert, _a, ctx: Context) => ctx.viewer?.user.id === dashboard.teacherId,
);
