import { and } from 'graphql-shield';
import { canSeeExamSummary, canSeeStudentSummary } from './analytics-views.rules';
import { admin, reader } from './common';
import { isStaff } from './exam.rules';
import type { TypeRules } from './merge-rules';
import { isAuthenticated } from './rules';

/** The analytics views: exam summaries for staff, student rows as users are scoped. */
export const analyticsViewPermissions: TypeRules = {
  Query: {
    examPerformanceSummaries: and(reader, isStaff),
    studentRiskSummaries: reader,
  },
  Mutation: { refreshAnalyticsViews: admin },
  ExamPerformanceReport: isAuthenticated,
  ExamPerformanceSummary: canSeeExamSummary,
  StudentRiskReport: isAuthenticated,
  StudentRiskSummary: canSeeStudentSummary,
  AnalyticsRefresh: isAuthenticated,
  ViewRefreshResult: isAuthenticated,
};
