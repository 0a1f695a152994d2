import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import { Cacheable } from '../cache/cacheable';
import type { Context } from '../context';
import { AssessmentFilter } from '../types/assessment.inputs';
import { AssessmentDimension, AssessmentMetric, AssessmentStats } from '../types/assessment-stats.types';

@Resolver()
export class AssessmentStatsResolver {
  @Cacheable()
  @Query(() => AssessmentStats, {
    description:
      'Assessments the caller may see (as the assessments connection), grouped and measured in one SQL statement: ' +
      'students only themselves (STUDENT refused), teachers the students of the cohorts they teach. With DAY, WEEK or ' +
      'MONTH, filter.from is required and the estimated groups must not exceed STATS_MAX_GROUPS (BAD_USER_INPUT).',
  })
  assessmentStats(
    @Ctx() ctx: Context,
    @Arg('groupBy', () => [AssessmentDimension]) groupBy: AssessmentDimension[],
    @Arg('metrics', () => [AssessmentMetric]) metrics: AssessmentMetric[],
    @Arg('filter', () => AssessmentFilter, { nullable: true }) filter?: AssessmentFilter,
  ): Promise<AssessmentStats> {
    return ctx.services.assessmentStats.stats(ctx.em, ctx.viewer!, { filter, groupBy, metrics });
  }
}
