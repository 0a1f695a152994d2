import { GraphQLSafeInt } from 'graphql-scalars';
import { IsUUID, Max, Min } from 'class-validator';
import { ArgsType, Field, ID, Int, ObjectType } from 'type-graphql';
import { LlmAuditTrail, Project } from '../entities';
import type { CostAnalytics as Analytics } from '../services/cost-analytics.service';
import { DecimalScalar } from './decimal.scalar';

@ObjectType({ description: 'One UTC day.' })
export class DailyCost {
  @Field({ description: 'YYYY-MM-DD (UTC).' })
  day!: string;

  @Field(() => Int)
  messageCount!: number;

  @Field(() => DecimalScalar)
  totalCost!: string;

  @Field(() => GraphQLSafeInt)
  totalTokens!: number;
}

@ObjectType()
export class ModelCost {
  @Field()
  model!: string;

  @Field(() => Int)
  messageCount!: number;

  @Field(() => DecimalScalar)
  totalCost!: string;

  @Field(() => GraphQLSafeInt)
  totalTokens!: number;

  @Field(() => DecimalScalar, { nullable: true, description: 'Over calls whose cost is known; null when none is.' })
  averageCostPerMessage!: string | null;
}

@ObjectType({ description: "A project's LLM spend over [from, to), computed by the database from exact decimals." })
export class CostAnalytics implements Analytics {
  @Field(() => Project)
  project!: Project;

  @Field(() => Date, { nullable: true })
  from!: Date | null;

  @Field(() => Date, { nullable: true })
  to!: Date | null;

  @Field(() => Int, { description: 'Every recorded call, placeholders included.' })
  messageCount!: number;

  @Field(() => Int, { description: 'Calls whose cost is known.' })
  completedCount!: number;

  @Field(() => DecimalScalar)
  totalCost!: string;

  @Field(() => DecimalScalar)
  promptCost!: string;

  @Field(() => DecimalScalar)
  completionCost!: string;

  @Field(() => GraphQLSafeInt)
  totalTokens!: number;

  @Field(() => GraphQLSafeInt)
  promptTokens!: number;

  @Field(() => GraphQLSafeInt)
  completionTokens!: number;

  @Field(() => DecimalScalar, { nullable: true, description: 'totalCost / completedCount, to 10 decimals; null when no cost is known.' })
  averageCostPerMessage!: string | null;

  @Field(() => [DailyCost], { description: 'Every day from the first call to the last, zeros included.' })
  costByDay!: DailyCost[];

  @Field(() => [ModelCost], { description: 'Most expensive model first.' })
  costByModel!: ModelCost[];

  @Field(() => [LlmAuditTrail], { description: 'The latest calls, newest first.' })
  recentTrails!: LlmAuditTrail[];
}

@ArgsType()
export class CostAnalyticsArgs {
  @Field(() => ID)
  @IsUUID('all', { message: 'projectId must be a UUID' })
  projectId!: string;

  @Field(() => Date, { nullable: true, description: 'Calls at or after this time.' })
  from?: Date;

  @Field(() => Date, { nullable: true, description: 'Calls before this time.' })
  to?: Date;

  @Field(() => Int, { defaultValue: 10, description: 'How many of the latest trails to include (0-100).' })
  @Min(0, { message: 'recent must be between 0 and 100' })
  @Max(100, { message: 'recent must be between 0 and 100' })
  recent!: number;
}
