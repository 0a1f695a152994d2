import type { FilterQuery } from '@mikro-orm/core';
import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { visibleWorkflows } from '../permissions/governance.scope';
import { AuditLog, GovernanceMode, User, WorkflowExecution } from '../entities';
import { badInput } from '../errors';
import { paginate } from '../services/pagination';
import { finishWorkflow, startWorkflow, workflowSuccessRates } from '../services/workflow.service';
import { Connection } from '../types/connection';
import { checkedId } from '../types/ids';
import { FinishWorkflowInput, StartWorkflowInput, TimeRangeArgs, WorkflowExecutionFilter, WorkflowSuccessRate } from '../types/workflow.types';

@ObjectType()
export class WorkflowExecutionConnection extends Connection(WorkflowExecution) {}

function filterQuery(filter: WorkflowExecutionFilter | undefined): FilterQuery<WorkflowExecution> {
  if (!filter) return {};
  if (filter.from && filter.to && filter.from >= filter.to) throw badInput('filter.from must be before filter.to');
  const where: FilterQuery<WorkflowExecution>[] = [];
  if (filter.workflowName) where.push({ workflowName: filter.workflowName });
  if (filter.status) where.push({ status: filter.status });
  if (filter.from) where.push({ startedAt: { $gte: filter.from } });
  if (filter.to) where.push({ startedAt: { $lt: filter.to } });
  return { $and: where };
}

@Resolver(() => WorkflowExecution)
export class WorkflowResolver {
  @Mutation(() => WorkflowExecution, { description: 'Records that an AI workflow started (as recordLlmCall: writers of AI records).' })
  startWorkflow(@Arg('input', () => StartWorkflowInput) input: StartWorkflowInput, @Ctx() ctx: Context): Promise<WorkflowExecution> {
    return startWorkflow(ctx.em, input, ctx.viewer!, ctx.audit);
  }

  @Mutation(() => WorkflowExecution, {
    description: 'Records how a running workflow ended. Its starter or an admin; repeating the same finish returns it unchanged.',
  })
  finishWorkflow(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => FinishWorkflowInput) input: FinishWorkflowInput,
    @Ctx() ctx: Context,
  ): Promise<WorkflowExecution> {
    return finishWorkflow(ctx.em, checkedId(id, 'id'), input, ctx.viewer!, ctx.audit);
  }

  @Query(() => WorkflowExecutionConnection, { description: 'Workflow history, newest first (admins and auditors).' })
  workflowExecutions(
    @Ctx() ctx: Context,
    @Arg('filter', () => WorkflowExecutionFilter, { nullable: true }) filter?: WorkflowExecutionFilter,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return paginate(ctx.em, WorkflowExecution, { $and: [filterQuery(filter), visibleWorkflows(ctx.viewer!)] }, { first, after });
  }

  @Query(() => [WorkflowSuccessRate], { description: 'Per workflow, over runs started in [from, to) (admins and auditors).' })
  workflowSuccessRates(@Args(() => TimeRangeArgs) { from, to }: TimeRangeArgs, @Ctx() ctx: Context): Promise<WorkflowSuccessRate[]> {
    return workflowSuccessRates(ctx.em, from, to);
  }

  @FieldResolver(() => User, { nullable: true })
  triggeredBy(@Root() execution: WorkflowExecution, @Ctx() ctx: Context) {
    return execution.triggeredByUserId ? ctx.loaders.userById.load(execution.triggeredByUserId) : null;
  }

  @FieldResolver(() => AuditLog, { description: 'The audit entry recording the start.' })
  startedAuditEntry(@Root() execution: WorkflowExecution, @Ctx() ctx: Context) {
    return ctx.loaders.auditLogById.load(execution.startedAuditId);
  }

  @FieldResolver(() => AuditLog, { nullable: true, description: 'The audit entry recording the finish; null while running.' })
  finishedAuditEntry(@Root() execution: WorkflowExecution, @Ctx() ctx: Context) {
    return execution.finishedAuditId ? ctx.loaders.auditLogById.load(execution.finishedAuditId) : null;
  }

  @FieldResolver(() => GovernanceMode, { nullable: true, description: 'The governance mode it ran under, set at the start; null for none.' })
  mode(@Root() execution: Readonly<WorkflowExecution>, @Ctx() ctx: Context) {
    return execution.mode ? ctx.loaders.governanceModeById.load(execution.mode.id) : null;
  }
}
