import { IsDate, IsOptional, IsUUID, Length, Matches, MaxLength } from 'class-validator';
import { ArgsType, Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { GOVERNANCE_MODE_KEY } from '../entities/governance-mode.entity';
import type { GovernanceModeUsageRow } from '../services/governance-mode.service';
import { DecimalScalar } from './decimal.scalar';

const NOT_BLANK = /\S/;
const KEY_MESSAGE = 'key must be 2-50 lowercase letters, digits, - or _, starting with a letter';

@InputType()
export class CreateGovernanceModeInput {
  @Field({ description: 'Stable identifier: 2-50 lowercase letters, digits, - or _, starting with a letter. Unique, never reused.' })
  @Matches(GOVERNANCE_MODE_KEY, { message: KEY_MESSAGE })
  key!: string;

  @Field()
  @Length(1, 200, { message: 'name must be 1-200 characters' })
  @Matches(NOT_BLANK, { message: 'name must not be blank' })
  name!: string;

  @Field({ nullable: true, description: 'At most 2000 characters; defaults to empty.' })
  @IsOptional()
  @MaxLength(2000, { message: 'description must be at most 2000 characters' })
  description?: string;
}

@ArgsType()
export class GovernanceModeDistributionArgs {
  @Field(() => Date, { nullable: true, description: 'At or after this time (workflows by startedAt, LLM calls by timestamp); default: 30 days before to.' })
  @IsOptional()
  @IsDate()
  from?: Date;

  @Field(() => Date, { nullable: true, description: 'Before this time; default: now. At most 366 days after from.' })
  @IsOptional()
  @IsDate()
  to?: Date;

  @Field(() => ID, {
    nullable: true,
    description: "Only this project's LLM calls. Workflow executions belong to no project, so with a projectId none is counted.",
  })
  @IsOptional()
  @IsUUID('all', { message: 'projectId must be a UUID' })
  projectId?: string;
}

@ObjectType({
  description:
    'Requests run under one governance mode (or none) in a time range. A request is a workflow execution started in the ' +
    'range or an LLM call made in it. Workflows carry the outcome and duration; LLM calls carry the cost.',
})
export class GovernanceModeUsage implements GovernanceModeUsageRow {
  /** Null for requests tagged with no mode; the field resolver loads the row. */
  modeId!: string | null;

  @Field(() => Int, { description: 'workflows + llmCalls.' })
  requests!: number;

  @Field(() => Int)
  workflows!: number;

  @Field(() => Int)
  workflowsCompleted!: number;

  @Field(() => Int, { description: 'FAILED or CANCELLED.' })
  workflowsUnsuccessful!: number;

  @Field(() => Int)
  workflowsRunning!: number;

  @Field(() => Float, {
    nullable: true,
    description:
      'COMPLETED / finished workflows (running ones excluded, as workflowSuccessRates), 0-1; null when none finished. ' +
      'LLM calls record no outcome, so they do not count.',
  })
  successRate!: number | null;

  @Field(() => Float, { nullable: true, description: 'Mean durationMs of completed workflows (LLM calls record no duration).' })
  averageDurationMs!: number | null;

  @Field(() => Int)
  llmCalls!: number;

  @Field(() => Int, { description: 'LLM calls whose usage and cost are recorded (not placeholders).' })
  llmCallsCompleted!: number;

  @Field(() => DecimalScalar, { description: "Exact sum of the LLM calls' total cost (placeholders add nothing)." })
  totalCost!: string;

  @Field(() => DecimalScalar, { nullable: true, description: 'totalCost / llmCallsCompleted, 10 decimals; null when no call has a cost.' })
  averageCost!: string | null;
}
