import { IsDate, IsIn, IsOptional, Length, Matches } from 'class-validator';
import { GraphQLJSON } from 'graphql-scalars';
import { ArgsType, Field, Float, InputType, Int, ObjectType } from 'type-graphql';
import { WorkflowStatus } from '../entities/workflow-status';
import type { WorkflowSuccessRate as Rate } from '../services/workflow.service';

const WORKFLOW_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/;
const FINISHED = [WorkflowStatus.COMPLETED, WorkflowStatus.FAILED, WorkflowStatus.CANCELLED];

@InputType()
export class StartWorkflowInput {
  @Field({ description: 'E.g. "skill-assessment"; letters, digits and _ . : - (at most 100).' })
  @Matches(WORKFLOW_NAME, { message: 'workflowName must be 1-100 letters, digits, _ . : or -, starting with a letter or digit' })
  workflowName!: string;

  @Field({ nullable: true, description: 'The key of an active governance mode to run under; it cannot change later.' })
  @IsOptional()
  @Length(1, 100, { message: 'mode must be 1-100 characters' })
  mode?: string;
}

@InputType()
export class FinishWorkflowInput {
  @Field(() => WorkflowStatus, { description: 'COMPLETED, FAILED (with an error) or CANCELLED.' })
  @IsIn(FINISHED, { message: 'status must be COMPLETED, FAILED or CANCELLED' })
  status!: WorkflowStatus;

  @Field(() => GraphQLJSON, { nullable: true })
  result?: unknown;

  @Field({ nullable: true })
  @IsOptional()
  @Length(1, 10_000, { message: 'error must be 1-10000 characters' })
  error?: string;
}

@InputType()
export class WorkflowExecutionFilter {
  @Field({ nullable: true })
  @IsOptional()
  @Matches(WORKFLOW_NAME, { message: 'workflowName must be 1-100 letters, digits, _ . : or -' })
  workflowName?: string;

  @Field(() => WorkflowStatus, { nullable: true })
  status?: WorkflowStatus;

  @Field(() => Date, { nullable: true, description: 'Started at or after.' })
  from?: Date;

  @Field(() => Date, { nullable: true, description: 'Started before.' })
  to?: Date;
}

@ObjectType()
export class WorkflowSuccessRate implements Rate {
  @Field()
  workflowName!: string;

  @Field(() => Int)
  total!: number;

  @Field(() => Int)
  completed!: number;

  @Field(() => Int)
  failed!: number;

  @Field(() => Int)
  cancelled!: number;

  @Field(() => Int)
  running!: number;

  @Field(() => Float, { nullable: true, description: 'completed / (completed + failed + cancelled), 0-1; null while none has finished.' })
  successRate!: number | null;

  @Field(() => Float, { nullable: true, description: 'Mean duration of completed runs.' })
  averageDurationMs!: number | null;
}

@ArgsType()
export class TimeRangeArgs {
  @Field(() => Date, { nullable: true, description: 'At or after this time.' })
  @IsOptional()
  @IsDate()
  from?: Date;

  @Field(() => Date, { nullable: true, description: 'Before this time.' })
  @IsOptional()
  @IsDate()
  to?: Date;
}
