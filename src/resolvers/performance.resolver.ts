import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { PerformanceMetrics, User } from '../entities';
import { Role } from '../entities/role';

@Resolver(() => PerformanceMetrics)
export class PerformanceMetricsResolver {
  @FieldResolver(() => User)
  student(@Root() metrics: Readonly<PerformanceMetrics>, @Ctx() ctx: Context) {
    return ctx.loaders.userById.load(metrics.student.id);
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
