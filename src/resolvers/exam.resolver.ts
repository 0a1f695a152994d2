import type { FilterQuery } from '@mikro-orm/core';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Cacheable } from '../cache/cacheable';
import type { Context } from '../context';
import { Exam, ExamAttempt, TeacherExamPermission, User } from '../entities';
import { badInput, notFound } from '../errors';
import { availableExams, visibleExams } from '../permissions/exam.scope';
import { questionsOf } from '../services/exams/exam.service';
import { existingId } from '../services/exams/ids';
import { paginate } from '../services/pagination';
import { CreateExamInput, ExamFilter, UpdateExamInput } from '../types/exam.inputs';
import { ExamConnection, ExamPermissions, ExamQuestion } from '../types/exam.types';

const MAX_NESTED_ATTEMPTS = 100;

function examWhere(ctx: Context, filter: ExamFilter | undefined): FilterQuery<Exam> {
  const me = ctx.viewer!.user.id;
  const where: FilterQuery<Exam>[] = [visibleExams(ctx.viewer!)];
  if (filter?.subject) where.push({ subject: filter.subject });
  if (filter?.isPublished != null) where.push({ isPublished: filter.isPublished });
  if (filter?.createdByMe != null) where.push({ creator: filter.createdByMe ? me : { $ne: me } });
  if (filter?.search) where.push({ title: { $ilike: `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%` } });
  return { $and: where };
}

@Resolver(() => Exam)
export class ExamResolver {
  @Cacheable()
  @Query(() => ExamConnection, {
    description: 'Exams the caller may see: teachers those they created or were granted, students published exams of their cohort’s teachers, admins all.',
  })
  exams(
    @Ctx() ctx: Context,
    @Arg('filter', () => ExamFilter, { nullable: true }) filter?: ExamFilter,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return paginate(ctx.em, Exam, examWhere(ctx, filter), { first, after });
  }

  @Cacheable()
  @Query(() => Exam, { description: 'One exam, if the caller may see it; otherwise NOT_FOUND.' })
  async exam(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Exam> {
    const exam = await ctx.em.findOne(Exam, { $and: [{ id: existingId(id, 'Exam') }, visibleExams(ctx.viewer!)] });
    if (!exam) throw notFound('Exam');
    return exam;
  }

  @Cacheable()
  @Query(() => ExamConnection, { description: 'Published exams the calling student may start (by teachers of their cohort).' })
  availableExams(
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return paginate(ctx.em, Exam, availableExams(ctx.viewer!), { first, after });
  }

  @Mutation(() => Exam, { description: 'Creates an unpublished exam with its rubric (teachers).' })
  createExam(@Arg('input', () => CreateExamInput) input: CreateExamInput, @Ctx() ctx: Context): Promise<Exam> {
    return ctx.services.exams.create(ctx.em, ctx.viewer!.user.id, input, ctx.audit);
  }

  @Mutation(() => Exam, { description: 'Changes an exam (its creator, teachers granted canEdit, admins).' })
  updateExam(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateExamInput) input: UpdateExamInput,
    @Ctx() ctx: Context,
  ): Promise<Exam> {
    return ctx.services.exams.update(ctx.em, ctx.viewer!, existingId(id, 'Exam'), { ...input }, ctx.audit);
  }

  @Mutation(() => Exam, { description: 'Opens the exam to students; its scoring fields freeze.' })
  publishExam(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Exam> {
    return ctx.services.exams.publish(ctx.em, ctx.viewer!, existingId(id, 'Exam'), ctx.audit);
  }

  @FieldResolver(() => User, { nullable: true, description: 'Staff only: students do not see teacher accounts.' })
  creator(@Root() exam: Readonly<Exam>, @Ctx() ctx: Context) {
    return ctx.loaders.userById.load(exam.creator.id);
  }

  @FieldResolver(() => [ExamQuestion])
  questions(@Root() exam: Readonly<Exam>): ExamQuestion[] {
    return questionsOf(exam).map(({ id, prompt, points, options }) => ({ id, prompt, points, options: options ?? [] }));
  }

  @FieldResolver(() => GraphQLJSONObject)
  rules(@Root() exam: Readonly<Exam>): Record<string, unknown> {
    return exam.metadata.rules ?? {};
  }

  @FieldResolver(() => ExamPermissions)
  async myPermissions(@Root() exam: Readonly<Exam>, @Ctx() ctx: Context): Promise<ExamPermissions> {
    const access = await ctx.loaders.examAccess(ctx.viewer!).load(exam.id);
    return { canView: access.view, canEdit: access.edit, canViewAnalytics: access.analytics };
  }

  @FieldResolver(() => [ExamAttempt], {
    description: 'The newest attempts the caller may see (a student only their own); page with examAttempts.',
  })
  attempts(@Root() exam: Readonly<Exam>, @Ctx() ctx: Context, @Arg('limit', () => Int, { defaultValue: 20 }) limit: number) {
    if (limit < 1 || limit > MAX_NESTED_ATTEMPTS) throw badInput(`limit must be between 1 and ${MAX_NESTED_ATTEMPTS}`);
    return ctx.loaders.recentAttemptsByExamId(ctx.viewer!, limit).load(exam.id);
  }

  @FieldResolver(() => [TeacherExamPermission], { nullable: true, description: 'Grants to other teachers (for those who may edit the exam).' })
  grants(@Root() exam: Readonly<Exam>, @Ctx() ctx: Context) {
    return ctx.loaders.grantsByExamId.load(exam.id);
  }
}
