import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import { Cacheable } from '../cache/cacheable';
import type { Context } from '../context';
import { MonitoringStatsFilter } from '../types/monitoring.inputs';
import { MonitoringDimension, MonitoringMetric, MonitoringStats } from '../types/monitoring-stats.types';

@Resolver()
export class MonitoringStatsResolver {
  @Cacheable()
  @Query(() => MonitoringStats, {
    description:
      'Proctoring events of the attempts the caller may see, grouped and measured in one SQL statement: staff only ' +
      '(students FORBIDDEN), teachers the attempts on exams they may view. With MINUTE, HOUR or DAY, filter.from is ' +
      'required and the estimated groups must not exceed STATS_MAX_GROUPS (BAD_USER_INPUT).',
  })
  monitoringStats(
    @Ctx() ctx: Context,
    @Arg('groupBy', () => [MonitoringDimension]) groupBy: MonitoringDimension[],
    @Arg('metrics', () => [MonitoringMetric]) metrics: MonitoringMetric[],
    @Arg('filter', () => MonitoringStatsFilter, { nullable: true }) filter?: MonitoringStatsFilter,
  ): Promise<MonitoringStats> {
    return ctx.services.monitoringStats.stats(ctx.em, ctx.viewer!, { filter, groupBy, metrics });
  }
}
