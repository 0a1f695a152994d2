import { and } from 'graphql-shield';
import { reader } from './common';
import { isStaff } from './exam.rules';
import type { TypeRules } from './merge-rules';
import { allow } from './rules';

/**
 * Grouped proctoring statistics: staff only, as the events themselves; the service computes
 * every group over the attempts attemptVisibleSql lets the caller see (teachers: exams they
 * may view), so keys and values come only from those events.
 */
export const monitoringStatsPermissions: TypeRules = {
  Query: {
    monitoringStats: and(reader, isStaff),
  },
  MonitoringStats: allow,
  MonitoringStatsRow: allow,
  MonitoringStatsKey: allow,
  MonitoringStatsValues: allow,
};
