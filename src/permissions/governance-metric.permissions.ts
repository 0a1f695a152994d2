import type { TypeRules } from './merge-rules';
import { overseer } from './common';
import { canSeeGovernanceMetrics } from './governance-metric.rules';
import { allow } from './rules';

/** The governance metrics history: overseers only, as the samples count everyone's work. */
export const governanceMetricPermissions: TypeRules = {
  Query: {
    governanceMetrics: overseer,
  },
  GovernanceMetricSeries: canSeeGovernanceMetrics,
  GovernanceMetricPoint: allow,
};
