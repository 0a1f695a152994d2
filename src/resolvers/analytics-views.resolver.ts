import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Cacheable } from '../cache/cacheable';
import type { Context } from '../context';
import { Exam, User } from '../entities';
import { refreshAnalyticsViews } from '../services/analytics/views';
import { AnalyticsRefresh, ExamPerformanceReport, ExamPerformanceSummary, StudentRiskReport, StudentRiskSummary } from '../types/analytics-views.types';

@Resolver(() => ExamPerformanceSummary)
export class ExamPerformanceSummaryResolver {
  @Cacheable()
  @Query(() => ExamPerformanceReport, { description: 'Per exam the caller may view (staff): attempts, scores, pass rate, integrity, as of the view\'s last refresh.' })
  examPerformanceSummaries(
    @Arg('first', () => Int, { nullable: true }) first: number | undefined,
    @Arg('after', () => String, { nullable: true }) after: string | undefined,
    @Ctx() ctx: Context,
  ): Promise<ExamPerformanceReport> {
    return ctx.services.analyticsSummaries.examPerformance(ctx.em, ctx.viewer!, { first, after });
  }

  @Mutation(() => AnalyticsRefresh, { description: 'Refreshes the analytics views now, CONCURRENTLY (admins).' })
  async refreshAnalyticsViews(@Ctx() ctx: Context): Promise<AnalyticsRefresh> {
    return { views: await refreshAnalyticsViews(ctx.em) };
  }

  @FieldResolver(() => Exam, { nullable: true })
  exam(@Root() summary: ExamPerformanceSummary, @Ctx() ctx: Context) {
    return ctx.loaders.examById.load(summary.examId);
  }
}

@Resolver(() => StudentRiskSummary)
export class StudentRiskSummaryResolver {
  @Cacheable()
  @Query(() => StudentRiskReport, { description: 'Per student the caller may see: risk, cumulative integrity and LMI, attempts and flags, as of the view\'s last refresh.' })
  studentRiskSummaries(
    @Arg('first', () => Int, { nullable: true }) first: number | undefined,
    @Arg('after', () => String, { nullable: true }) after: string | undefined,
    @Ctx() ctx: Context,
  ): Promise<StudentRiskReport> {
    return ctx.services.analyticsSummaries.studentRisk(ctx.em, ctx.viewer!, { first, after });
  }

  @FieldResolver(() => User, { nullable: true })
  student(@Root() summary: StudentRiskSummary, @Ctx() ctx: Context) {
    return ctx.loaders.userById.load(summary.studentId);
  }
}
