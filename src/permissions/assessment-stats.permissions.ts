import { reader } from './common';
import type { TypeRules } from './merge-rules';
import { allow } from './rules';

/**
 * Grouped assessment statistics: whoever may read assessments asks, and the service computes
 * every group under assessmentVisibleSql (the connection's predicate), so the groups hold only
 * rows the caller may see; keys and values are plain numbers and names of those rows.
 */
export const assessmentStatsPermissions: TypeRules = {
  Query: {
    assessmentStats: reader,
  },
  AssessmentStats: allow,
  AssessmentStatsRow: allow,
  AssessmentStatsKey: allow,
  AssessmentStatsValues: allow,
};
