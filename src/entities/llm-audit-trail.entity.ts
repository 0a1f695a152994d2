import { ArrayType, Entity, Index, ManyToOne, Property, type Rel } from '@mikro-orm/core';
import { GraphQLJSON } from 'graphql-scalars';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity } from './base.entity';
import { GovernanceMode } from './governance-mode.entity';
import { LlmCost, TokenUsage } from './llm-usage';
import { Project } from './project.entity';

/**
 * One model call made for a project: what was asked of which model, what it reasoned,
 * and what it cost. Recorded first as a placeholder, completed when usage is known.
 * Money is `numeric(20,10)`, read and written as decimal strings, never floats.
 */
@ObjectType()
@Entity({ tableName: 'llm_audit_trails' })
@Index({ name: 'llm_audit_trails_project_called_at_idx', properties: ['project', 'timestamp'] })
@Index({ name: 'llm_audit_trails_mode_called_at_idx', properties: ['mode', 'timestamp'] })
export class LlmAuditTrail extends BaseEntity<
  | 'reasoning'
  | 'contextLayers'
  | 'promptTokens'
  | 'completionTokens'
  | 'totalTokens'
  | 'promptCost'
  | 'completionCost'
  | 'totalCost'
  | 'recordedByUserId'
  | 'recordedByApiKeyId'
  | 'tokens'
  | 'cost'
  | 'isComplete'
  | 'mode'
> {
  @Field()
  @Property({ length: 200, unique: 'llm_audit_trails_message_id_unique' })
  messageId!: string;

  @ManyToOne({ entity: () => Project, deleteRule: 'cascade' })
  project!: Rel<Project>;

  /** The governance mode it was made under, set when recorded and never changed (trigger assay_mode_immutable). */
  @ManyToOne({ entity: () => GovernanceMode, nullable: true, deleteRule: 'restrict' })
  mode?: Rel<GovernanceMode> | null = null;

  @Field()
  @Property({ length: 200 })
  model!: string;

  @Field(() => [String], { description: "The model's reasoning steps, in order." })
  @Property({ type: ArrayType, columnType: 'text[]' })
  reasoning: string[] = [];

  @Field(() => GraphQLJSON, { description: 'The context layers the prompt was built from (a JSON array or object).' })
  @Property({ type: 'jsonb' })
  contextLayers: unknown = [];

  @Property({ type: 'integer', nullable: true })
  promptTokens?: number | null = null;

  @Property({ type: 'integer', nullable: true })
  completionTokens?: number | null = null;

  @Property({ type: 'integer', nullable: true })
  totalTokens?: number | null = null;

  @Property({ type: 'decimal', precision: 20, scale: 10, nullable: true })
  promptCost?: string | null = null;

  @Property({ type: 'decimal', precision: 20, scale: 10, nullable: true })
  completionCost?: string | null = null;

  @Property({ type: 'decimal', precision: 20, scale: 10, nullable: true })
  totalCost?: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  recordedByUserId?: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  recordedByApiKeyId?: string | null = null;

  @Field({ description: 'When the model was called.' })
  @Property({ type: 'timestamptz', fieldName: 'called_at' })
  timestamp!: Date;

  @Field(() => TokenUsage, { nullable: true, description: 'Null until the call is completed with its usage.' })
  get tokens(): TokenUsage | null {
    if (this.promptTokens == null || this.completionTokens == null || this.totalTokens == null) return null;
    return { prompt: this.promptTokens, completion: this.completionTokens, total: this.totalTokens };
  }

  @Field(() => LlmCost, { nullable: true, description: 'Null until the call is completed with its cost.' })
  get cost(): LlmCost | null {
    if (this.promptCost == null || this.completionCost == null || this.totalCost == null) return null;
    return { prompt: this.promptCost, completion: this.completionCost, total: this.totalCost };
  }

  @Field({ description: 'True once tokens and cost are known.' })
  get isComplete(): boolean {
    return this.tokens !== null && this.cost !== null;
  }
}
