import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { Exam, ExamAttempt, User } from '../entities';
import { FlagAlert, FlagAlertConnection, FlaggedStudent, FlaggedStudentConnection, FlaggedStudentFilter } from './types/flag.types';

@Resolver(() => FlagAlert)
export class FlagAlertResolver {
  @Query(() => FlagAlertConnection, { description: 'Flags raised in the exams the caller may view, newest first (teachers, admins, auditors).' })
  alerts(
    @Arg('first', () => Int, { nullable: true }) first: number | undefined,
    @Arg('after', () => String, { nullable: true }) after: string | undefined,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.flags.alerts(ctx.em, ctx.viewer!, { first, after });
  }

  @FieldResolver(() => ExamAttempt, { nullable: true })
  attempt(@Root() alert: FlagAlert, @Ctx() ctx: Context) {
    return ctx.loaders.attemptById.load(alert.attemptId);
  }

  @FieldResolver(() => Exam, { nullable: true })
  exam(@Root() alert: FlagAlert, @Ctx() ctx: Context) {
    return ctx.loaders.examById.load(alert.examId);
  }

  @FieldResolver(() => User, { nullable: true })
  student(@Root() alert: FlagAlert, @Ctx() ctx: Context) {
    return ctx.loaders.userById.load(alert.studentId);
  }
}

@Resolver(() => FlaggedStudent)
export class FlaggedStudentResolver {
  @Query(() => FlaggedStudentConnection, { description: 'Students flagged for review now, by their latest flag in the exams the caller may view.' })
  flaggedStudents(
    @Arg('filter', () => FlaggedStudentFilter, { nullable: true }) filter: FlaggedStudentFilter | undefined,
    @Arg('first', () => Int, { nullable: true }) first: number | undefined,
    @Arg('after', () => String, { nullable: true }) after: string | undefined,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.flags.flaggedStudents(ctx.em, ctx.viewer!, filter ?? {}, { first, after });
  }

  @FieldResolver(() => User, { nullable: true })
  student(@Root() flagged: FlaggedStudent, @Ctx() ctx: Context) {
    return ctx.loaders.userById.load(flagged.id);
  }
}
