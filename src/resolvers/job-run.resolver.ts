import { Arg, Ctx, Int, ObjectType, Query, Resolver } from 'type-graphql';
import type { Context } from '../context';
import { JobRun } from '../entities';
import { paginate } from '../services/pagination';
import { Connection } from '../types/connection';

@ObjectType()
export class JobRunConnection extends Connection(JobRun) {}

@Resolver(() => JobRun)
export class JobRunResolver {
  @Query(() => JobRunConnection, { description: 'Runs of scheduled jobs, newest first (admins).' })
  jobRuns(
    @Ctx() ctx: Context,
    @Arg('jobName', () => String, { nullable: true }) jobName?: string,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return paginate(ctx.em, JobRun, jobName ? { jobName } : {}, { first, after });
  }
}
