import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { knownVisible, type Context } from '../context';
import { PerformanceMetrics, User } from '../entities';
import { Role } from '../entities/role';

@Resolver(() => PerformanceMetrics)
export class PerformanceMetricsResolver {
  /**
   * Visible metrics are those of a student whose records the viewer may see, and every such
   * student is within the user predicate (userVisibleSql): the student is visible too.
   */
  @FieldResolver(() => User)
  async student(@Root() metrics: Readonly<PerformanceMetrics>, @Ctx() ctx: Context) {
    const student = await ctx.loaders.userById.load(metrics.student.id);
    if (student) knownVisible(ctx, [student]);
    return student;
  }
}

/** Adds the student's exam performance to User, batched like its profile. */
@Resolver(() => User)
export class UserPerformanceResolver {
  @FieldResolver(() => PerformanceMetrics, { nullable: true, description: 'Students only; null before the first exam.' })
  performanceMetrics(@Root() user: Readonly<User>, @Ctx() ctx: Context) {
    return user.role === Role.STUDENT ? ctx.loaders.performanceMetricsByStudentId.load(user.id) : null;
  }
}
