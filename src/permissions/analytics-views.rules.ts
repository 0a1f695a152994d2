import { seesEveryone } from '../auth/viewer';
import type { ExamPerformanceSummary, StudentRiskSummary } from '../types/analytics-views.types';
import { mayViewExam } from './monitoring.rules';
import { rowRule } from './row-rule';
import { canSeeStudentOfCohort } from './user.scope';

/** Layer two for the analytics views: each row again, as for the exam or student it summarises. */
export const canSeeExamSummary = rowRule('canSeeExamSummary', (summary: ExamPerformanceSummary, ctx) => mayViewExam(ctx, summary.examId));

export const canSeeStudentSummary = rowRule(
  'canSeeStudentSummary',
  (summary: StudentRiskSummary, ctx) =>
    ctx.viewer !== null &&
    (seesEveryone(ctx.viewer) || ctx.viewer.user.id === summary.studentId || canSeeStudentOfCohort(ctx.viewer, summary.cohort)),
);
