import { Arg, Ctx, ID, Int, Mutation, Query, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import type { Context } from '../context';
import { badInput } from '../errors';
import { MonitoringEventInput, MonitoringFilter, batchProblem } from '../types/monitoring.inputs';
import { attemptUpdatesStream } from './monitoring-subscription';
import { AttemptUpdate, MonitoringEventConnection, MonitoringIngestResult, MonitoringSummary } from '../types/monitoring.types';

@Resolver()
export class MonitoringResolver {
  @Mutation(() => MonitoringIngestResult, {
    description:
      "Stores up to MONITORING_MAX_BATCH (1,000) events of an attempt in progress, from its student or a staff account's API key (events:write). A batch with one bad event stores nothing; resent event ids count as duplicates.",
  })
  recordMonitoringEvents(
    @Arg('attemptId', () => ID) attemptId: string,
    @Arg('events', () => [MonitoringEventInput], { validate: false }) events: MonitoringEventInput[],
    @Ctx() ctx: Context,
  ): Promise<MonitoringIngestResult> {
    const problem = batchProblem(events);
    if (problem) throw badInput(problem);
    return ctx.services.monitoringIngest.record(ctx.em, ctx.viewer!, attemptId, events);
  }

  @Query(() => MonitoringEventConnection, { description: "An attempt's events in time order (staff who may view its exam)." })
  attemptMonitoring(
    @Arg('attemptId', () => ID) attemptId: string,
    @Arg('filter', () => MonitoringFilter, { nullable: true }) filter: MonitoringFilter | undefined,
    @Arg('first', () => Int, { nullable: true }) first: number | undefined,
    @Arg('after', () => String, { nullable: true }) after: string | undefined,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.monitoringRead.timeline(ctx.em, ctx.viewer!, attemptId, filter ?? {}, { first, after });
  }

  @Query(() => MonitoringSummary, { description: "Counts over an attempt's events: for staff who may view its exam, and its student." })
  monitoringSummary(@Arg('attemptId', () => ID) attemptId: string, @Ctx() ctx: Context): Promise<MonitoringSummary> {
    return ctx.services.monitoringRead.summary(ctx.em, ctx.viewer!, attemptId);
  }

  @Subscription(() => AttemptUpdate, {
    description:
      "One attempt, live, for staff who may view its exam (an API key needs subscribe): its state at once, then whenever its events, flag or analysis change.",
    subscribe: ({ args, context }: SubscribeResolverData<unknown, { attemptId: string }, Context>) => attemptUpdatesStream(context, args.attemptId),
  })
  attemptUpdated(@Root() update: AttemptUpdate, @Arg('attemptId', () => ID) _attemptId: string): AttemptUpdate {
    return update;
  }
}
