import { Args, Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../context';
import { metricVisibleSql } from '../permissions/governance-metric.scope';
import { governanceMetricSeries } from '../services/governance-metric.service';
import { GovernanceMetricsArgs, GovernanceMetricSeries } from '../types/governance-metric.types';

@Resolver(() => GovernanceMetricSeries)
export class GovernanceMetricResolver {
  @Query(() => [GovernanceMetricSeries], {
    description:
      'The governance metrics history as time series for charts, bucketed in PostgreSQL by date_bin: a total per name, and ' +
      'per requested dimension one series per value (admins and auditors).',
  })
  governanceMetrics(@Args(() => GovernanceMetricsArgs) args: GovernanceMetricsArgs, @Ctx() ctx: Context): Promise<GovernanceMetricSeries[]> {
    return governanceMetricSeries(ctx.em, args, metricVisibleSql(ctx.viewer!, 'g'));
  }
}
