import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { Cacheable } from '../cache/cacheable';
import { knownVisible, type Context } from '../context';
import { Exam, ExamAttempt, PerformanceMetrics, StudentProfile, User } from '../entities';
import { Role } from '../entities/role';
import { badInput, notFound } from '../errors';
import { studentsInCare } from '../permissions/user.scope';
import { integrityStatusOf, recommendationsFor } from '../services/exams/dashboard.service';
import { existingId } from '../services/exams/ids';
import { DashboardAlert, StudentDashboard, TeacherDashboard } from '../types/dashboard.types';

const MAX_HISTORY = 50;

@Resolver(() => StudentDashboard)
export class StudentDashboardResolver {
  @Cacheable()
  @Query(() => StudentDashboard, {
    description: "A student's dashboard: the caller's own, or (teachers of the cohort, admins, auditors) the student named.",
  })
  async studentDashboard(@Ctx() ctx: Context, @Arg('studentId', () => ID, { nullable: true }) studentId?: string): Promise<StudentDashboard> {
    const viewer = ctx.viewer!;
    const id = studentId ?? viewer.user.id;
    if (id !== viewer.user.id) {
      const visible = await ctx.em.count(User, { $and: [{ id: existingId(id, 'Student') }, studentsInCare(viewer)] });
      if (!visible) throw notFound('Student');
    } else if (viewer.user.role !== Role.STUDENT) {
      throw badInput('studentId is required unless you are a student');
    }
    const [profile, metrics] = await Promise.all([
      ctx.loaders.studentProfileByUserId.load(id),
      ctx.loaders.performanceMetricsByStudentId.load(id),
    ]);
    return {
      studentId: id,
      integrityStatus: integrityStatusOf(profile),
      dropoutRisk: profile?.currentDropoutRisk ?? null,
      recommendations: recommendationsFor(metrics),
    };
  }

  @FieldResolver(() => User)
  student(@Root() dashboard: Readonly<StudentDashboard>, @Ctx() ctx: Context) {
    return dashboard.studentId === ctx.viewer!.user.id ? ctx.viewer!.user : ctx.loaders.userById.load(dashboard.studentId);
  }

  @FieldResolver(() => StudentProfile, { nullable: true })
  profile(@Root() dashboard: Readonly<StudentDashboard>, @Ctx() ctx: Context) {
    return ctx.loaders.studentProfileByUserId.load(dashboard.studentId);
  }

  @FieldResolver(() => PerformanceMetrics, { nullable: true })
  performance(@Root() dashboard: Readonly<StudentDashboard>, @Ctx() ctx: Context) {
    return ctx.loaders.performanceMetricsByStudentId.load(dashboard.studentId);
  }

  @FieldResolver(() => [ExamAttempt], { description: 'Exam history, newest first.' })
  history(@Root() dashboard: Readonly<StudentDashboard>, @Ctx() ctx: Context, @Arg('limit', () => Int, { defaultValue: 10 }) limit: number) {
    if (limit < 1 || limit > MAX_HISTORY) throw badInput(`limit must be between 1 and ${MAX_HISTORY}`);
    return ctx.services.dashboards.history(ctx.em, ctx.loaders, dashboard.studentId, limit);
  }
}

@Resolver(() => TeacherDashboard)
export class TeacherDashboardResolver {
  @Cacheable()
  @Query(() => TeacherDashboard, { description: "The calling teacher's exams, recent attempts, flagged students and alerts." })
  async teacherDashboard(@Ctx() ctx: Context): Promise<TeacherDashboard> {
    const dashboard = await ctx.services.dashboards.teacher(ctx.em, ctx.viewer!);
    // Attempts under attemptVisibleSql, metrics of the cohorts taught: visible by construction.
    knownVisible(ctx, [dashboard, ...dashboard.recent, ...dashboard.flagged]);
    return dashboard;
  }

  @FieldResolver(() => User)
  teacher(@Root() dashboard: Readonly<TeacherDashboard>, @Ctx() ctx: Context) {
    return ctx.loaders.userById.load(dashboard.teacherId);
  }

  @FieldResolver(() => [Exam], { description: 'The newest exams the teacher created or was granted.' })
  async exams(@Ctx() ctx: Context) {
    const exams = await ctx.services.dashboards.exams(ctx.em, ctx.viewer!);
    knownVisible(ctx, exams);
    return exams;
  }

  @FieldResolver(() => [ExamAttempt], { description: 'The newest completed attempts on exams the teacher may view.' })
  recentAttempts(@Root() dashboard: Readonly<TeacherDashboard>) {
    return dashboard.recent;
  }

  @FieldResolver(() => [PerformanceMetrics], { description: 'Students of the cohorts taught who are flagged for intervention.' })
  flaggedStudents(@Root() dashboard: Readonly<TeacherDashboard>) {
    return dashboard.flagged;
  }

  @FieldResolver(() => [DashboardAlert])
  alerts(@Root() dashboard: Readonly<TeacherDashboard>, @Ctx() ctx: Context) {
    return ctx.services.dashboards.alerts(dashboard);
  }
}

@Resolver(() => DashboardAlert)
export class DashboardAlertResolver {
  @FieldResolver(() => User)
  student(@Root() alert: Readonly<DashboardAlert>, @Ctx() ctx: Context) {
    return ctx.loaders.userById.load(alert.studentId);
  }

  @FieldResolver(() => ExamAttempt, { nullable: true })
  attempt(@Root() alert: Readonly<DashboardAlert>) {
    return alert.attempt;
  }
}
