import { ArrayType, DecimalType, Entity, Enum, ManyToOne, Property, type Rel } from '@mikro-orm/core';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, Int, ObjectType } from 'type-graphql';
import { BaseEntity } from './base.entity';
import { ExamAttempt } from './exam-attempt.entity';
import { DropoutLabel } from './exam-enums';
import { User } from './user.entity';

const decimal = (columnType: string, nullable = true) => ({ type: new DecimalType('number'), columnType, nullable });

@ObjectType({ description: "The scoring service's analysis of one attempt. Students see their own, without the originality indicators and model fields." })
@Entity({ tableName: 'behavior_analyses' })
export class BehaviorAnalysis extends BaseEntity<
  | 'totalEvents'
  | 'anomalyCount'
  | 'criticalCount'
  | 'originalityIndicators'
  | 'lmiScore'
  | 'improvementTrend'
  | 'dropoutLabel'
  | 'dropoutConfidence'
  | 'llmSummary'
  | 'llmRecommendations'
  | 'llmModelVersion'
  | 'requiresInstructorAttention'
  | 'requiresRecap'
> {
  @ManyToOne({ entity: () => ExamAttempt, unique: 'behavior_analyses_attempt_unique' })
  attempt!: Rel<ExamAttempt>;

  @ManyToOne({ entity: () => User })
  student!: Rel<User>;

  @Field(() => Int, { description: 'Events stored for the attempt when the analysis was saved.' })
  @Property()
  totalEvents: number = 0;

  @Field(() => Int)
  @Property()
  anomalyCount: number = 0;

  @Field(() => Int)
  @Property()
  criticalCount: number = 0;

  @Field(() => Float)
  @Property(decimal('numeric(5,4)', false))
  integrityScore!: number;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Staff only (null for the student).' })
  @Property({ type: 'jsonb' })
  originalityIndicators: Record<string, unknown> = {};

  @Field(() => Float, { nullable: true })
  @Property(decimal('numeric(5,4)'))
  lmiScore?: number | null = null;

  @Field(() => Float, { nullable: true, description: 'Between -1 and 1.' })
  @Property(decimal('numeric(5,4)'))
  improvementTrend?: number | null = null;

  @Field(() => DropoutLabel, { nullable: true })
  @Enum({ items: () => DropoutLabel, nullable: true })
  dropoutLabel?: DropoutLabel | null = null;

  @Field(() => Float, { nullable: true })
  @Property(decimal('numeric(5,4)'))
  dropoutConfidence?: number | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  llmSummary?: string | null = null;

  @Field(() => [String])
  @Property({ type: ArrayType, columnType: 'text[]' })
  llmRecommendations: string[] = [];

  @Field(() => String, { nullable: true })
  @Property({ length: 128, nullable: true })
  llmModelVersion?: string | null = null;

  @Field()
  @Property()
  requiresInstructorAttention: boolean = false;

  @Field()
  @Property()
  requiresRecap: boolean = false;
}
