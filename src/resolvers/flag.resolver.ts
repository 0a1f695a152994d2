import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root, Subscription, type ClassType, type SubscribeResolverData } from 'type-graphql';
import type { Context } from '../context';
import { Exam, ExamAttempt, User } from '../entities';
import { FlagAlert, FlagAlertConnection, FlaggedStudent, FlaggedStudentConnection, FlaggedStudentFilter, StudentFlaggedEvent } from '../types/flag.types';
import { studentFlaggedStream, type StudentFlaggedArgs } from './flag-subscription';

/** The attempt, exam and student of a flag-log row, through the request's loaders (and so its row rules). */
function FlagRelations<T extends FlagAlert>(type: ClassType<T>) {
  @Resolver(() => type)
  abstract class Relations {
    @FieldResolver(() => ExamAttempt, { nullable: true })
    attempt(@Root() flag: T, @Ctx() ctx: Context) {
      return ctx.loaders.attemptById.load(flag.attemptId);
    }

    @FieldResolver(() => Exam, { nullable: true })
    exam(@Root() flag: T, @Ctx() ctx: Context) {
      return ctx.loaders.examById.load(flag.examId);
    }

    @FieldResolver(() => User, { nullable: true })
    student(@Root() flag: T, @Ctx() ctx: Context) {
      return ctx.loaders.userById.load(flag.studentId);
    }
  }
  return Relations;
}

@Resolver(() => FlagAlert)
export class FlagAlertResolver extends FlagRelations(FlagAlert) {
  @Query(() => FlagAlertConnection, { description: 'Flags raised in the exams the caller may view, newest first (teachers, admins, auditors).' })
  alerts(
    @Arg('first', () => Int, { nullable: true }) first: number | undefined,
    @Arg('after', () => String, { nullable: true }) after: string | undefined,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.flags.alerts(ctx.em, ctx.viewer!, { first, after });
  }
}

@Resolver(() => StudentFlaggedEvent)
export class StudentFlaggedEventResolver extends FlagRelations(StudentFlaggedEvent) {
  @Subscription(() => StudentFlaggedEvent, {
    description:
      'Flags as they are raised, in the exams the caller may view at the moment of delivery (teachers, admins, auditors; an API key needs subscribe). With `after` (a cursor from an earlier event), first every flag after it from the log, in order, then live ones.',
    subscribe: ({ args, context }: SubscribeResolverData<unknown, StudentFlaggedArgs, Context>) => studentFlaggedStream(context, args),
  })
  studentFlagged(
    @Root() event: StudentFlaggedEvent,
    @Arg('filter', () => FlaggedStudentFilter, { nullable: true, validate: false }) _filter: FlaggedStudentFilter | undefined,
    @Arg('after', () => String, { nullable: true }) _after: string | undefined,
  ): StudentFlaggedEvent {
    return event;
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
