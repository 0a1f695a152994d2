import { ArrayMaxSize, IsInt, IsOptional, IsUUID, Length, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, InputType, Int } from 'type-graphql';
import { DecimalScalar } from './decimal.scalar';

/** Non-negative, at most 9 integer digits (so prompt + completion fits numeric(20, 10)) and 10 decimals. */
const MONEY = /^\d{1,9}(\.\d{1,10})?$/;
const money = (field: string) => ({ message: `${field} must be a non-negative decimal with at most 9 digits before the point and 10 after` });
const MAX_TOKENS = 1_000_000_000;
const NOT_BLANK = /\S/;

@InputType()
export class TokenUsageInput {
  @Field(() => Int)
  @IsInt()
  @Min(0, { message: 'tokens.prompt must not be negative' })
  @Max(MAX_TOKENS)
  prompt!: number;

  @Field(() => Int)
  @IsInt()
  @Min(0, { message: 'tokens.completion must not be negative' })
  @Max(MAX_TOKENS)
  completion!: number;

  @Field(() => Int, { nullable: true, description: 'Defaults to prompt + completion.' })
  @IsOptional()
  @IsInt()
  @Min(0, { message: 'tokens.total must not be negative' })
  @Max(2 * MAX_TOKENS)
  total?: number;
}

@InputType()
export class LlmCostInput {
  @Field(() => DecimalScalar)
  @Matches(MONEY, money('cost.prompt'))
  prompt!: string;

  @Field(() => DecimalScalar)
  @Matches(MONEY, money('cost.completion'))
  completion!: string;

  @Field(() => DecimalScalar, { nullable: true, description: 'Defaults to prompt + completion.' })
  @IsOptional()
  @Matches(MONEY, money('cost.total'))
  total?: string;
}

/** What a call records besides its identity: shared by recording and completing it. */
@InputType()
abstract class LlmCallUsage {
  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(200)
  @MaxLength(20_000, { each: true })
  reasoning?: string[];

  @Field(() => GraphQLJSON, { nullable: true, description: 'A JSON array or object describing the prompt\'s context layers.' })
  contextLayers?: unknown;

  @Field(() => TokenUsageInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  tokens?: TokenUsageInput;

  @Field(() => LlmCostInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  cost?: LlmCostInput;
}

@InputType({ description: 'A model call. Omit tokens and cost to record a placeholder, completed later with updateLlmCall.' })
export class RecordLlmCallInput extends LlmCallUsage {
  @Field({ description: 'The caller\'s id for the call; recording the same id again returns the first record.' })
  @Length(1, 200, { message: 'messageId must be 1-200 characters' })
  @Matches(NOT_BLANK, { message: 'messageId must not be blank' })
  messageId!: string;

  @Field(() => ID)
  @IsUUID('all', { message: 'projectId must be a UUID' })
  projectId!: string;

  @Field()
  @Length(1, 200, { message: 'model must be 1-200 characters' })
  @Matches(NOT_BLANK, { message: 'model must not be blank' })
  model!: string;

  @Field(() => Date, { nullable: true, description: 'When the model was called; defaults to now.' })
  timestamp?: Date;

  @Field({ nullable: true, description: 'The key of an active governance mode the call was made under; it cannot change later.' })
  @IsOptional()
  @Length(1, 100, { message: 'mode must be 1-100 characters' })
  mode?: string;
}

@InputType({ description: 'The fields to set; omitted fields keep their value.' })
export class LlmCallPatch extends LlmCallUsage {
  @Field({ nullable: true })
  @IsOptional()
  @Length(1, 200, { message: 'model must be 1-200 characters' })
  @Matches(NOT_BLANK, { message: 'model must not be blank' })
  model?: string;
}
