import { BigIntType, Entity, Enum, Index, ManyToOne, Property, type Rel } from '@mikro-orm/core';
import { GraphQLJSON, GraphQLSafeInt } from 'graphql-scalars';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity } from './base.entity';
import { GovernanceMode } from './governance-mode.entity';
import { WorkflowStatus } from './workflow-status';

/** One run of an AI workflow, from start to finish, linked to the audit entries that record both. */
@ObjectType()
@Entity({ tableName: 'workflow_executions' })
@Index({ name: 'workflow_executions_name_started_idx', properties: ['workflowName', 'startedAt'] })
@Index({ name: 'workflow_executions_started_idx', properties: ['startedAt'] })
@Index({ name: 'workflow_executions_triggered_by_idx', properties: ['triggeredByUserId', 'startedAt'] })
@Index({ name: 'workflow_executions_mode_started_idx', properties: ['mode', 'startedAt'] })
export class WorkflowExecution extends BaseEntity<
  'completedAt' | 'durationMs' | 'result' | 'error' | 'triggeredByUserId' | 'triggeredByApiKeyId' | 'finishedAuditId' | 'mode'
> {
  @Field()
  @Property({ length: 100 })
  workflowName!: string;

  @Field(() => WorkflowStatus)
  @Enum({ items: () => WorkflowStatus })
  status!: WorkflowStatus;

  @Field()
  @Property({ type: 'timestamptz' })
  startedAt!: Date;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  completedAt?: Date | null = null;

  @Field(() => GraphQLSafeInt, { nullable: true })
  @Property({ type: new BigIntType('number'), nullable: true })
  durationMs?: number | null = null;

  @Field(() => GraphQLJSON, { nullable: true })
  @Property({ type: 'jsonb', nullable: true })
  result?: unknown = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  error?: string | null = null;

  /** The user who started it (directly or through one of their API keys). */
  @Property({ type: 'uuid', nullable: true })
  triggeredByUserId?: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  triggeredByApiKeyId?: string | null = null;

  /** The audit entry recording the start (WORKFLOW_STARTED). */
  @Property({ type: 'uuid' })
  startedAuditId!: string;

  /** The audit entry recording the finish (WORKFLOW_FINISHED); null while running. */
  @Property({ type: 'uuid', nullable: true })
  finishedAuditId?: string | null = null;

  /**
   * The governance mode it ran under, set at the start and never changed (a trigger,
   * assay_mode_immutable, refuses an update of mode_id). Shown through a field resolver.
   */
  @ManyToOne({ entity: () => GovernanceMode, nullable: true, deleteRule: 'restrict' })
  mode?: Rel<GovernanceMode> | null = null;
}
