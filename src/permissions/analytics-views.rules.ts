import { rule } from 'graphql-shield';
import { seesEveryone } from '../auth/viewer';
import type { Context } from '../context';
import type { ExamPerformanceSummary, StudentRiskSummary } from '../resolvers/types/analytics-views.types';
import { mayViewExam } from './monitoring.rules';
import { canSeeStudentOfCohort } from './scope';

/** Layer two for the analytics views: each row again, as for the exam or student it summarises. */
export const canSeeExamSummary = rule('canSeeExamSummary', { cache: 'no_cache' })((summary: ExamPerformanceSummary, _a, ctx: Context) =>
  mayViewExam(ctx, summary.examId),
);

export const canSeeStudentSummary = rule('canSeeStudentSummary', { cache: 'no_cache' })(
  (summary: StudentRiskSummary, _a, ctx: Context) =>
    ctx.viewer !== null &&
    (seesEveryone(ctx.viewer) || ctx.viewer.user.id === summary.studentId || canSeeStudentOfCohort(ctx.viewer, summary.cohort)),
);
