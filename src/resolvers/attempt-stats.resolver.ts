import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import { Cacheable } from '../cache/cacheable';
import type { Context } from '../context';
import { AttemptDimension, AttemptMetric, AttemptStats } from '../types/attempt-stats.types';
import { AttemptStatsFilter } from '../types/exam.inputs';

@Resolver()
export class AttemptStatsResolver {
  @Cacheable()
  @Query(() => AttemptStats, {
    description:
      'Exam attempts the caller may see (as the attempt lists), grouped and measured in one SQL statement: students only ' +
      'their own (STUDENT refused), teachers those on exams they may view, admins and auditors all. With DAY, WEEK or MONTH, ' +
      'filter.from is required and the estimated groups must not exceed STATS_MAX_GROUPS (BAD_USER_INPUT).',
  })
  attemptStats(
    @Ctx() ctx: Context,
    @Arg('groupBy', () => [AttemptDimension]) groupBy: AttemptDimension[],
    @Arg('metrics', () => [AttemptMetric]) metrics: AttemptMetric[],
    @Arg('filter', () => AttemptStatsFilter, { nullable: true }) filter?: AttemptStatsFilter,
  ): Promise<AttemptStats> {
    return ctx.services.attemptStats.stats(ctx.em, ctx.viewer!, { filter, groupBy, metrics });
  }
}
