import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { visibleTrails } from '../permissions/governance.scope';
import { GovernanceMode, LlmAuditTrail, Project, User } from '../entities';
import { costAnalytics } from '../services/cost-analytics.service';
import { recordLlmCall, updateLlmCall } from '../services/llm-trail.service';
import { paginate } from '../services/pagination';
import { Connection } from '../types/connection';
import { CostAnalytics, CostAnalyticsArgs } from '../types/cost-analytics.types';
import { checkedId } from '../types/ids';
import { LlmCallPatch, RecordLlmCallInput } from '../types/llm-trail.types';

@ObjectType()
export class LlmAuditTrailConnection extends Connection(LlmAuditTrail) {}

@Resolver(() => LlmAuditTrail)
export class LlmAuditTrailResolver {
  @Mutation(() => LlmAuditTrail, {
    description:
      'Records a model call, complete or as a placeholder (API keys with assessments:write or analysis:write; admins and teachers). ' +
      'Recording the same messageId again returns the first record.',
  })
  recordLlmCall(@Arg('input', () => RecordLlmCallInput) input: RecordLlmCallInput, @Ctx() ctx: Context): Promise<LlmAuditTrail> {
    return recordLlmCall(ctx.em, input, ctx.viewer!);
  }

  @Mutation(() => LlmAuditTrail, { description: 'Completes or corrects a recorded call; idempotent. Its recorder or an admin.' })
  updateLlmCall(
    @Arg('messageId') messageId: string,
    @Arg('patch', () => LlmCallPatch) patch: LlmCallPatch,
    @Ctx() ctx: Context,
  ): Promise<LlmAuditTrail> {
    return updateLlmCall(ctx.em, messageId, patch, ctx.viewer!);
  }

  @Query(() => LlmAuditTrailConnection, { description: "A project's trails, newest first (admins and auditors)." })
  llmAuditTrails(
    @Arg('projectId', () => ID) projectId: string,
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return paginate(ctx.em, LlmAuditTrail, { $and: [{ project: checkedId(projectId, 'projectId') }, visibleTrails(ctx.viewer!)] }, { first, after });
  }

  @Query(() => CostAnalytics, { description: "A project's LLM spend; from inclusive, to exclusive, both optional (admins and auditors)." })
  costAnalytics(@Args(() => CostAnalyticsArgs) args: CostAnalyticsArgs, @Ctx() ctx: Context): Promise<CostAnalytics> {
    return costAnalytics(ctx.em, args);
  }

  @FieldResolver(() => Project)
  project(@Root() trail: LlmAuditTrail, @Ctx() ctx: Context) {
    return ctx.loaders.projectById.load(trail.project.id);
  }

  @FieldResolver(() => User, { nullable: true, description: 'Who recorded it (directly or through an API key).' })
  recordedBy(@Root() trail: LlmAuditTrail, @Ctx() ctx: Context) {
    return trail.recordedByUserId ? ctx.loaders.userById.load(trail.recordedByUserId) : null;
  }

  @FieldResolver(() => GovernanceMode, { nullable: true, description: 'The governance mode the call was made under, set when recorded; null for none.' })
  mode(@Root() trail: Readonly<LlmAuditTrail>, @Ctx() ctx: Context) {
    return trail.mode ? ctx.loaders.governanceModeById.load(trail.mode.id) : null;
  }
}
