import { reader } from './common';
import type { TypeRules } from './merge-rules';
import { allow } from './rules';

/**
 * Grouped attempt statistics: whoever may read attempts asks, and the service computes every
 * group under attemptVisibleSql (the attempt lists' predicate), so the groups hold only rows
 * the caller may see; keys and values are plain numbers and names of those rows.
 */
export const attemptStatsPermissions: TypeRules = {
  Query: {
    attemptStats: reader,
  },
  AttemptStats: allow,
  AttemptStatsRow: allow,
  AttemptStatsKey: allow,
  AttemptStatsValues: allow,
};
