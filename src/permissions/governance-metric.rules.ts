import type { Context } from '../context';
import { metricVisibleSql } from './governance-metric.scope';
import { rowRule } from './row-rule';
import { holdsFor } from './sql-condition';

/** Derived from metricVisibleSql; it reads no column, so the viewer alone answers. */
export const canSeeGovernanceMetrics = rowRule(
  'canSeeGovernanceMetrics',
  (_series: object, ctx: Context) => ctx.viewer !== null && holdsFor(metricVisibleSql(ctx.viewer, 'g'), {}),
);
