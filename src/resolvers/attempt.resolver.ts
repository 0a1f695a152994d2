import type { FilterQuery } from '@mikro-orm/core';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Cacheable } from '../cache/cacheable';
import { knownVisible, type Context } from '../context';
import { Exam, ExamAttempt, User } from '../entities';
import { AttemptStatus } from '../entities/exam-enums';
import { notFound } from '../errors';
import { visibleAttempts } from '../permissions/exam.scope';
import { questionsOf } from '../services/exams/exam.service';
import { existingId } from '../services/exams/ids';
import { reviewResponses, type Response } from '../services/exams/scoring';
import { paginate } from '../services/pagination';
import { AttemptFilter, SubmissionInput } from '../types/exam.inputs';
import { ExamAttemptConnection, QuestionResult } from '../types/exam.types';

function attemptWhere(ctx: Context, filter: AttemptFilter | undefined, own: FilterQuery<ExamAttempt>): FilterQuery<ExamAttempt> {
  const where: FilterQuery<ExamAttempt>[] = [visibleAttempts(ctx.viewer!), own];
  if (filter?.status) where.push({ status: filter.status });
  if (filter?.examId) where.push({ exam: existingId(filter.examId, 'Exam') });
  return { $and: where };
}

@Resolver(() => ExamAttempt)
export class AttemptResolver {
  @Cacheable()
  @Query(() => ExamAttemptConnection, { description: "The caller's own attempts, newest first." })
  myAttempts(
    @Ctx() ctx: Context,
    @Arg('filter', () => AttemptFilter, { nullable: true }) filter?: AttemptFilter,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return paginate(ctx.em, ExamAttempt, attemptWhere(ctx, filter, { student: ctx.viewer!.user.id }), { first, after });
  }

  @Cacheable()
  @Query(() => ExamAttemptConnection, {
    description: "Attempts on one exam the caller may see: a teacher all of them, a student their own; NOT_FOUND if the exam is not visible.",
  })
  async examAttempts(
    @Arg('examId', () => ID) examId: string,
    @Ctx() ctx: Context,
    @Arg('filter', () => AttemptFilter, { nullable: true }) filter?: AttemptFilter,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    const access = await ctx.loaders.examAccess(ctx.viewer!).load(existingId(examId, 'Exam'));
    if (!access.view) throw notFound('Exam');
    return paginate(ctx.em, ExamAttempt, attemptWhere(ctx, filter, { exam: examId }), { first, after });
  }

  @Cacheable()
  @Query(() => ExamAttempt, { description: 'One attempt, if the caller may see it; otherwise NOT_FOUND.' })
  async attempt(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<ExamAttempt> {
    const attempt = await ctx.em.findOne(ExamAttempt, { $and: [{ id: existingId(id, 'Attempt') }, visibleAttempts(ctx.viewer!)] });
    if (!attempt) throw notFound('Attempt');
    return attempt;
  }

  @Mutation(() => ExamAttempt, { description: 'Starts a published exam (students); one attempt in progress per exam.' })
  startAttempt(@Arg('examId', () => ID) examId: string, @Ctx() ctx: Context): Promise<ExamAttempt> {
    return ctx.services.attempts.start(ctx.em, ctx.viewer!, examId, { ip: ctx.ip, userAgent: ctx.userAgent });
  }

  @Mutation(() => ExamAttempt, {
    description: 'Scores the caller’s attempt against the exam and updates their profile and performance metrics, atomically.',
  })
  submitAttempt(
    @Arg('attemptId', () => ID) attemptId: string,
    @Arg('submission', () => SubmissionInput) submission: SubmissionInput,
    @Ctx() ctx: Context,
  ): Promise<ExamAttempt> {
    return ctx.services.attempts.submit(ctx.em, ctx.viewer!, attemptId, submission);
  }

  @FieldResolver(() => Exam)
  exam(@Root() attempt: Readonly<ExamAttempt>, @Ctx() ctx: Context) {
    return ctx.loaders.examById.load(attempt.exam.id);
  }

  @FieldResolver(() => [QuestionResult], {
    nullable: true,
    description:
      'Per-question results of a submitted attempt (null before submission). Students see them only when the exam allows review and their last allowed attempt is submitted; staff who may edit the exam, admins and auditors always.',
  })
  async review(@Root() attempt: Readonly<ExamAttempt>, @Ctx() ctx: Context): Promise<QuestionResult[] | null> {
    if (attempt.status !== AttemptStatus.COMPLETED) return null;
    const exam = await ctx.loaders.examById.load(attempt.exam.id);
    const responses = (attempt.submissionData.responses ?? []) as Response[];
    return exam ? reviewResponses(questionsOf(exam), responses) : null;
  }

  /** A visible attempt's student is visible: their own, or met through an exam the viewer may view. */
  @FieldResolver(() => User)
  async student(@Root() attempt: Readonly<ExamAttempt>, @Ctx() ctx: Context) {
    const student = await ctx.loaders.userById.load(attempt.student.id);
    if (student) knownVisible(ctx, [student]);
    return student;
  }
}
