import type { ExamPerformanceSummary, StudentRiskSummary } from '../types/analytics-views.types';
import { mayViewExam } from './monitoring.rules';
import { rowRule } from './row-rule';
import { seesStudentRecord } from './user.scope';

/** Layer two for the analytics views: each row again, as for the exam or student it summarises. */
export const canSeeExamSummary = rowRule('canSeeExamSummary', (summary: ExamPerformanceSummary, ctx) => mayViewExam(ctx, summary.examId));

export const canSeeStudentSummary = rowRule(
  'canSeeStudentSummary',
  (summary: StudentRiskSummary, ctx) => ctx.viewer !== null && seesStudentRecord(ctx.viewer, { id: summary.studentId, cohort: summary.cohort }),
);
