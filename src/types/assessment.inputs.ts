import {
  ArrayMaxSize,
  ArrayMinSize,
  IsOptional,
  IsUUID,
  Length,
  Matches,
  registerDecorator,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, InputType } from 'type-graphql';
import { AssessmentSource, EvidenceKind, SkillType } from '../entities/skill';
import { MAX_EVIDENCE_PER_ASSESSMENT } from '../services/assessment.service';
import { featureImportanceProblem, isUnitScore, UNIT_SCORE_RULE } from '../services/unit-interval';
const NOT_BLANK = /\S/;

function IsUnitScore(options?: ValidationOptions): PropertyDecorator {
  return (target, property) =>
    registerDecorator({
      name: 'isUnitScore',
      target: target.constructor,
      propertyName: String(property),
      options: { message: `$property must be ${UNIT_SCORE_RULE}`, ...options },
      validator: { validate: (value) => isUnitScore(value) },
    });
}

function IsFeatureImportance(): PropertyDecorator {
  return (target, property) =>
    registerDecorator({
      name: 'isFeatureImportance',
      target: target.constructor,
      propertyName: String(property),
      validator: {
        validate: (value) => featureImportanceProblem(value) === null,
        defaultMessage: (args) => `$property ${featureImportanceProblem(args?.value)}`,
      },
    });
}

@InputType()
export class EvidenceInput {
  @Field(() => EvidenceKind)
  kind!: EvidenceKind;

  @Field({ description: 'The quote or observation, 1-10,000 characters.' })
  @Length(1, 10_000)
  @Matches(NOT_BLANK, { message: 'content must not be blank' })
  content!: string;

  @Field(() => String, { nullable: true, description: 'A transcript id, game session id, ...' })
  @IsOptional()
  @Length(1, 256)
  sourceRef?: string | null;

  @Field(() => Float, { nullable: true })
  @IsOptional()
  @IsUnitScore()
  relevance?: number | null;
}

@InputType()
export class CreateAssessmentInput {
  @Field(() => ID, { description: 'A STUDENT account.' })
  @IsUUID('all', { message: 'studentId must be a UUID' })
  studentId!: string;

  @Field(() => SkillType)
  skillType!: SkillType;

  @Field(() => Float)
  @IsUnitScore()
  score!: number;

  @Field(() => Float)
  @IsUnitScore()
  confidence!: number;

  @Field({ description: "The model's explanation (hidden from students), 1-20,000 characters." })
  @Length(1, 20_000)
  @Matches(NOT_BLANK, { message: 'reasoning must not be blank' })
  reasoning!: string;

  @Field(() => AssessmentSource)
  source!: AssessmentSource;

  @Field()
  @Length(1, 128)
  @Matches(NOT_BLANK, { message: 'modelName must not be blank' })
  modelName!: string;

  @Field()
  @Length(1, 64)
  @Matches(NOT_BLANK, { message: 'modelVersion must not be blank' })
  modelVersion!: string;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Feature name to weight (finite numbers).' })
  @IsOptional()
  @IsFeatureImportance()
  featureImportance?: Record<string, number> | null;

  @Field(() => [EvidenceInput], { description: `1 to ${MAX_EVIDENCE_PER_ASSESSMENT} pieces of evidence.` })
  @ArrayMinSize(1, { message: 'evidence must have at least one item' })
  @ArrayMaxSize(MAX_EVIDENCE_PER_ASSESSMENT)
  @ValidateNested()
  evidence!: EvidenceInput[];
}

@InputType()
export class AssessmentFilter {
  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID('all', { message: 'studentId must be a UUID' })
  studentId?: string;

  @Field(() => [SkillType], { nullable: true, description: 'Any of these skills.' })
  @IsOptional()
  @ArrayMaxSize(7)
  skillTypes?: SkillType[];

  @Field(() => Date, { nullable: true, description: 'Created at or after.' })
  @IsOptional()
  from?: Date;

  @Field(() => Date, { nullable: true, description: 'Created before.' })
  @IsOptional()
  to?: Date;
}

@InputType()
export class AddEvidenceInput {
  @Field(() => ID)
  @IsUUID('all', { message: 'assessmentId must be a UUID' })
  assessmentId!: string;

  @Field(() => [EvidenceInput], { description: `1 or more; an assessment holds at most ${MAX_EVIDENCE_PER_ASSESSMENT}.` })
  @ArrayMinSize(1, { message: 'evidence must have at least one item' })
  @ArrayMaxSize(MAX_EVIDENCE_PER_ASSESSMENT)
  @ValidateNested()
  evidence!: EvidenceInput[];
}
