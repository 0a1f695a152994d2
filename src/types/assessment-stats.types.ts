import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { AssessmentSource, SkillType } from '../entities/skill';

/** What assessmentStats can group by. Time buckets are UTC: DAY, WEEK (ISO, from Monday) and MONTH starts. */
export enum AssessmentDimension {
  SKILL = 'SKILL',
  STUDENT = 'STUDENT',
  COHORT = 'COHORT',
  SOURCE = 'SOURCE',
  MODEL = 'MODEL',
  DAY = 'DAY',
  WEEK = 'WEEK',
  MONTH = 'MONTH',
}

/** What assessmentStats can compute per group. */
export enum AssessmentMetric {
  COUNT = 'COUNT',
  AVG_SCORE = 'AVG_SCORE',
  MIN_SCORE = 'MIN_SCORE',
  MAX_SCORE = 'MAX_SCORE',
  STDDEV_SCORE = 'STDDEV_SCORE',
  P50_SCORE = 'P50_SCORE',
  P90_SCORE = 'P90_SCORE',
  AVG_CONFIDENCE = 'AVG_CONFIDENCE',
  EVIDENCE_COUNT = 'EVIDENCE_COUNT',
}

registerEnumType(AssessmentDimension, {
  name: 'AssessmentDimension',
  description: 'A dimension assessmentStats groups by. STUDENT is refused to students (FORBIDDEN): their groups hold only themselves.',
});
registerEnumType(AssessmentMetric, { name: 'AssessmentMetric', description: 'A metric assessmentStats computes per group, in PostgreSQL.' });

@ObjectType({ description: 'The group a row of assessmentStats describes: only the dimensions asked for are set, the rest are null.' })
export class AssessmentStatsKey {
  @Field(() => SkillType, { nullable: true })
  skill?: SkillType | null;

  @Field(() => ID, { nullable: true, description: "The student's user id (STUDENT)." })
  studentId?: string | null;

  @Field(() => String, { nullable: true, description: "The student's cohort (COHORT); null for a student with no profile." })
  cohort?: string | null;

  @Field(() => AssessmentSource, { nullable: true })
  source?: AssessmentSource | null;

  @Field(() => String, { nullable: true, description: "The model's name (MODEL), all versions together." })
  model?: string | null;

  @Field(() => Date, { nullable: true, description: 'Start of the UTC day (DAY).' })
  day?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Start of the ISO week, Monday 00:00 UTC (WEEK).' })
  week?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Start of the UTC month (MONTH).' })
  month?: Date | null;
}

@ObjectType({ description: "One group's metrics: only those asked for are set, the rest are null (as is a statistic of too few rows, e.g. STDDEV_SCORE of one)." })
export class AssessmentStatsValues {
  @Field(() => Int, { nullable: true })
  count?: number | null;

  @Field(() => Float, { nullable: true })
  avgScore?: number | null;

  @Field(() => Float, { nullable: true })
  minScore?: number | null;

  @Field(() => Float, { nullable: true })
  maxScore?: number | null;

  @Field(() => Float, { nullable: true, description: 'Sample standard deviation (stddev_samp).' })
  stddevScore?: number | null;

  @Field(() => Float, { nullable: true, description: 'Median, interpolated (percentile_cont(0.5)).' })
  p50Score?: number | null;

  @Field(() => Float, { nullable: true, description: '90th percentile, interpolated (percentile_cont(0.9)).' })
  p90Score?: number | null;

  @Field(() => Float, { nullable: true })
  avgConfidence?: number | null;

  @Field(() => Int, { nullable: true, description: "Pieces of evidence of the group's assessments." })
  evidenceCount?: number | null;
}

@ObjectType({ description: 'One group of assessmentStats.' })
export class AssessmentStatsRow {
  @Field(() => AssessmentStatsKey)
  key!: AssessmentStatsKey;

  @Field(() => AssessmentStatsValues)
  values!: AssessmentStatsValues;
}

@ObjectType({ description: 'Groups of the assessments the caller may see, ordered by the keys in groupBy order (nulls last).' })
export class AssessmentStats {
  @Field(() => [AssessmentStatsRow])
  rows!: AssessmentStatsRow[];

  @Field({ description: 'True when there were more groups than STATS_MAX_GROUPS: rows holds the first ones.' })
  truncated!: boolean;
}
