import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { seesEveryone } from '../auth/viewer';
import { Cacheable } from '../cache/cacheable';
import { knownVisible, type Context } from '../context';
import { Exam, User } from '../entities';
import { forbidden, notFound } from '../errors';
import { examAnalytics } from '../services/exams/analytics.service';
import { existingId } from '../services/exams/ids';
import { ExamAnalytics, ExamAnalyticsStudent } from '../types/exam-analytics.types';

@Resolver(() => ExamAnalytics)
export class ExamAnalyticsResolver {
  @Cacheable()
  @Query(() => ExamAnalytics, {
    description: "Figures over the exam's completed attempts. Needs canViewAnalytics (creators, granted teachers, admins, auditors).",
  })
  async examAnalytics(@Arg('examId', () => ID) examId: string, @Ctx() ctx: Context): Promise<ExamAnalytics> {
    const viewer = ctx.viewer!;
    const access = await ctx.loaders.examAccess(viewer).load(existingId(examId, 'Exam'));
    // Overseers' access is not read from the exam row, so only for them is existence a separate question.
    if (!access.view || (seesEveryone(viewer) && !(await ctx.loaders.examById.load(examId)))) throw notFound('Exam');
    if (!access.analytics) throw forbidden('You may not see analytics for this exam');
    const analytics = await examAnalytics(ctx.em, examId);
    // Computed for an exam whose analytics the viewer may see: visible by construction.
    knownVisible(ctx, [analytics, ...analytics.students]);
    return analytics;
  }

  @FieldResolver(() => Exam)
  exam(@Root() analytics: Readonly<ExamAnalytics>, @Ctx() ctx: Context) {
    return ctx.loaders.examById.load(analytics.examId);
  }
}

@Resolver(() => ExamAnalyticsStudent)
export class ExamAnalyticsStudentResolver {
  /** A student with an attempt on an exam the viewer may view: within the user predicate. */
  @FieldResolver(() => User)
  async student(@Root() row: Readonly<ExamAnalyticsStudent>, @Ctx() ctx: Context) {
    const student = await ctx.loaders.studentWithProfileById.load(row.studentId);
    if (student) knownVisible(ctx, [student]);
    return student;
  }
}
