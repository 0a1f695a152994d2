import { ArrayMaxSize, IsEnum, IsOptional, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, InputType } from 'type-graphql';
import { DropoutLabel } from '../entities/exam-enums';

const score = { message: '$property must be between 0 and 1' };

@InputType({ description: "The scoring service's result for one attempt; saving it again replaces it." })
export class BehaviorAnalysisInput {
  @Field(() => ID)
  @IsUUID('all', { message: 'attemptId must be a UUID' })
  attemptId!: string;

  @Field(() => Float, { description: 'Between 0 and 1.' })
  @Min(0, score)
  @Max(1, score)
  integrityScore!: number;

  @Field(() => GraphQLJSONObject, { nullable: true })
  @IsOptional()
  originalityIndicators?: Record<string, unknown> | null;

  @Field(() => Float, { nullable: true, description: 'Learning momentum, between 0 and 1.' })
  @IsOptional()
  @Min(0, score)
  @Max(1, score)
  lmiScore?: number | null;

  @Field(() => Float, { nullable: true, description: 'Between -1 and 1.' })
  @IsOptional()
  @Min(-1, { message: 'improvementTrend must be between -1 and 1' })
  @Max(1, { message: 'improvementTrend must be between -1 and 1' })
  improvementTrend?: number | null;

  @Field(() => DropoutLabel, { nullable: true })
  @IsOptional()
  @IsEnum(DropoutLabel)
  dropoutLabel?: DropoutLabel | null;

  @Field(() => Float, { nullable: true })
  @IsOptional()
  @Min(0, score)
  @Max(1, score)
  dropoutConfidence?: number | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(20_000)
  llmSummary?: string | null;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(50)
  @MaxLength(2000, { each: true })
  llmRecommendations?: string[] | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(128)
  llmModelVersion?: string | null;

  @Field({ defaultValue: false })
  requiresInstructorAttention: boolean = false;

  @Field({ defaultValue: false })
  requiresRecap: boolean = false;
}
