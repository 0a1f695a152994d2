import {
  ArrayMaxSize,
  ArrayMinSize,
  IsOptional,
  IsPositive,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, InputType, Int } from 'type-graphql';
import { AttemptStatus } from '../entities/exam-enums';

const SUBJECT = /^[\p{L}\p{N} _.&-]{1,64}$/u;
const QUESTION_ID = /^[A-Za-z0-9_.-]{1,64}$/;
/** An input bound, not a rule: the database only requires at least one attempt. */
const MAX_ATTEMPTS = 100;

@InputType({ description: 'One rubric question. `answer` is the key: only editors ever read it back.' })
export class ExamQuestionInput {
  @Field()
  @Matches(QUESTION_ID, { message: 'question id must be 1-64 letters, digits, dots, dashes or underscores' })
  id!: string;

  @Field()
  @Length(1, 2000)
  prompt!: string;

  @Field(() => Float)
  @Min(0, { message: 'points must not be negative' })
  @Max(10_000)
  points!: number;

  @Field(() => [String], { nullable: true, description: 'Choices, for multiple-choice questions.' })
  @IsOptional()
  @ArrayMaxSize(20)
  @Length(1, 500, { each: true })
  options?: string[];

  @Field()
  @Length(1, 1000)
  answer!: string;
}

@InputType()
export class CreateExamInput {
  @Field()
  @Length(1, 200)
  title!: string;

  @Field({ nullable: true })
  @IsOptional()
  @MaxLength(10_000)
  description?: string;

  @Field()
  @Matches(SUBJECT, { message: 'subject must be 1-64 letters, digits, spaces or . _ & -' })
  subject!: string;

  @Field({ nullable: true })
  @IsOptional()
  @Length(1, 128)
  topic?: string;

  @Field(() => Float, { description: 'Must equal the sum of the questions’ points.' })
  @IsPositive({ message: 'maxScore must be positive' })
  @Max(100_000)
  maxScore!: number;

  @Field(() => Int)
  @Min(1)
  @Max(1440)
  durationMinutes!: number;

  @Field(() => Float, { description: 'Between 0 and maxScore.' })
  @Min(0, { message: 'passingScore must not be negative' })
  passingScore!: number;

  @Field({ nullable: true })
  @IsOptional()
  enableMonitoring?: boolean;

  @Field({ nullable: true })
  @IsOptional()
  enableIntegrityAnalysis?: boolean;

  @Field(() => Int, { nullable: true, description: `Attempts per student, 1 (the default) to ${MAX_ATTEMPTS}.` })
  @IsOptional()
  @Min(1, { message: 'maxAttempts must be at least 1' })
  @Max(MAX_ATTEMPTS, { message: `maxAttempts must be at most ${MAX_ATTEMPTS}` })
  maxAttempts?: number;

  @Field({ nullable: true, description: 'Show students per-question results after their last attempt (default false).' })
  @IsOptional()
  allowReview?: boolean;

  @Field(() => [ExamQuestionInput])
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  questions!: ExamQuestionInput[];

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Free-form rules shown to students (allowed material, …).' })
  @IsOptional()
  rules?: Record<string, unknown>;
}

@InputType({ description: 'Only the fields given change. Scoring fields are frozen once the exam is published.' })
export class UpdateExamInput {
  @Field({ nullable: true })
  @IsOptional()
  @Length(1, 200)
  title?: string;

  @Field({ nullable: true })
  @IsOptional()
  @MaxLength(10_000)
  description?: string;

  @Field({ nullable: true })
  @IsOptional()
  @Matches(SUBJECT, { message: 'subject must be 1-64 letters, digits, spaces or . _ & -' })
  subject?: string;

  @Field({ nullable: true })
  @IsOptional()
  @Length(1, 128)
  topic?: string;

  @Field(() => Float, { nullable: true })
  @IsOptional()
  @IsPositive({ message: 'maxScore must be positive' })
  @Max(100_000)
  maxScore?: number;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @Min(1)
  @Max(1440)
  durationMinutes?: number;

  @Field(() => Float, { nullable: true })
  @IsOptional()
  @Min(0, { message: 'passingScore must not be negative' })
  passingScore?: number;

  @Field({ nullable: true })
  @IsOptional()
  enableMonitoring?: boolean;

  @Field({ nullable: true })
  @IsOptional()
  enableIntegrityAnalysis?: boolean;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @Min(1, { message: 'maxAttempts must be at least 1' })
  @Max(MAX_ATTEMPTS, { message: `maxAttempts must be at most ${MAX_ATTEMPTS}` })
  maxAttempts?: number;

  @Field({ nullable: true })
  @IsOptional()
  allowReview?: boolean;

  @Field(() => [ExamQuestionInput], { nullable: true })
  @IsOptional()
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  questions?: ExamQuestionInput[];

  @Field(() => GraphQLJSONObject, { nullable: true })
  @IsOptional()
  rules?: Record<string, unknown>;
}

@InputType()
export class ExamFilter {
  @Field({ nullable: true })
  @IsOptional()
  @Matches(SUBJECT)
  subject?: string;

  @Field({ nullable: true })
  @IsOptional()
  isPublished?: boolean;

  @Field({ nullable: true, description: 'Only exams the caller created (true) or was granted (false).' })
  @IsOptional()
  createdByMe?: boolean;

  @Field({ nullable: true, description: 'Case-insensitive match on the title.' })
  @IsOptional()
  @Length(1, 100)
  search?: string;
}

@InputType()
export class AttemptFilter {
  @Field(() => AttemptStatus, { nullable: true })
  @IsOptional()
  status?: AttemptStatus;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  examId?: string;
}

@InputType()
export class ResponseInput {
  @Field()
  @Matches(QUESTION_ID, { message: 'questionId must be a question id of the exam' })
  questionId!: string;

  @Field()
  @MaxLength(10_000)
  answer!: string;
}

@InputType({ description: 'Counts the proctoring client observed; none may be negative.' })
export class ProctoringInput {
  @Field(() => Int, { nullable: true })
  @IsOptional()
  @Min(0, { message: 'tabSwitches must not be negative' })
  @Max(100_000)
  tabSwitches?: number;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @Min(0, { message: 'focusLostSeconds must not be negative' })
  @Max(1_000_000)
  focusLostSeconds?: number;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @Min(0, { message: 'copyPasteEvents must not be negative' })
  @Max(100_000)
  copyPasteEvents?: number;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @Min(0, { message: 'faceNotDetectedSeconds must not be negative' })
  @Max(1_000_000)
  faceNotDetectedSeconds?: number;
}

@InputType()
export class SubmissionInput {
  @Field(() => [ResponseInput])
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  responses!: ResponseInput[];

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Drafts the client kept; stored, never scored.' })
  @IsOptional()
  drafts?: Record<string, unknown>;

  @Field(() => ProctoringInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  proctoring?: ProctoringInput;
}

@InputType({ description: 'Which attempts attemptStats groups, within those the caller may see.' })
export class AttemptStatsFilter {
  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID('all', { message: 'examId must be a UUID' })
  examId?: string;

  @Field({ nullable: true, description: "The exam's subject." })
  @IsOptional()
  @Matches(SUBJECT, { message: 'subject must be 1-64 letters, digits, spaces or . _ & -' })
  subject?: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID('all', { message: 'studentId must be a UUID' })
  studentId?: string;

  @Field(() => AttemptStatus, { nullable: true })
  @IsOptional()
  status?: AttemptStatus;

  @Field(() => Date, { nullable: true, description: 'Started at or after.' })
  @IsOptional()
  from?: Date;

  @Field(() => Date, { nullable: true, description: 'Started before.' })
  @IsOptional()
  to?: Date;
}
