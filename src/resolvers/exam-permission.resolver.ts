import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { Exam, TeacherExamPermission, User } from '../entities';
import { badInput } from '../errors';
import { existingId } from '../services/exams/ids';
import { isUuid } from '../services/uuid';

@Resolver(() => TeacherExamPermission)
export class ExamPermissionResolver {
  @Mutation(() => TeacherExamPermission, {
    description: 'Grants (or changes) rights on an exam to another teacher; needs the right to edit the exam.',
  })
  grantExamPermission(
    @Arg('teacherId', () => ID) teacherId: string,
    @Arg('examId', () => ID) examId: string,
    @Ctx() ctx: Context,
    @Arg('canView', () => Boolean, { defaultValue: true }) canView: boolean,
    @Arg('canEdit', () => Boolean, { defaultValue: false }) canEdit: boolean,
    @Arg('canViewAnalytics', () => Boolean, { defaultValue: false }) canViewAnalytics: boolean,
  ): Promise<TeacherExamPermission> {
    if (!isUuid(teacherId)) throw badInput('teacherId must name a teacher');
    return ctx.services.examGrants.grant(ctx.em, ctx.viewer!, teacherId, existingId(examId, 'Exam'), { canView, canEdit, canViewAnalytics }, ctx.audit);
  }

  @Mutation(() => Boolean, { description: "Takes a teacher's grant on an exam away; needs the right to edit the exam." })
  revokeExamPermission(@Arg('teacherId', () => ID) teacherId: string, @Arg('examId', () => ID) examId: string, @Ctx() ctx: Context) {
    return ctx.services.examGrants.revoke(ctx.em, ctx.viewer!, existingId(teacherId, 'Grant'), existingId(examId, 'Exam'), ctx.audit);
  }

  @FieldResolver(() => User)
  teacher(@Root() grant: Readonly<TeacherExamPermission>, @Ctx() ctx: Context) {
    return ctx.loaders.userById.load(grant.teacher.id);
  }

  @FieldResolver(() => User)
  grantedBy(@Root() grant: Readonly<TeacherExamPermission>, @Ctx() ctx: Context) {
    return ctx.loaders.userById.load(grant.grantedBy.id);
  }

  @FieldResolver(() => Exam)
  exam(@Root() grant: Readonly<TeacherExamPermission>, @Ctx() ctx: Context) {
    return ctx.loaders.examById.load(grant.exam.id);
  }
}
