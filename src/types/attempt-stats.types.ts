import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { AttemptStatus, DropoutLabel } from '../entities/exam-enums';

/** What attemptStats can group by. Time buckets are UTC starts of the attempt's startedAt. */
export enum AttemptDimension {
  EXAM = 'EXAM',
  SUBJECT = 'SUBJECT',
  COHORT = 'COHORT',
  STUDENT = 'STUDENT',
  STATUS = 'STATUS',
  DROPOUT_LABEL = 'DROPOUT_LABEL',
  DAY = 'DAY',
  WEEK = 'WEEK',
  MONTH = 'MONTH',
}

/** What attemptStats can compute per group. */
export enum AttemptMetric {
  COUNT = 'COUNT',
  AVG_SCORE = 'AVG_SCORE',
  PASS_RATE = 'PASS_RATE',
  AVG_INTEGRITY = 'AVG_INTEGRITY',
  AVG_LMI = 'AVG_LMI',
  FLAGGED_COUNT = 'FLAGGED_COUNT',
  AVG_DURATION_SECONDS = 'AVG_DURATION_SECONDS',
}

registerEnumType(AttemptDimension, {
  name: 'AttemptDimension',
  description: 'A dimension attemptStats groups by. STUDENT is refused to students (FORBIDDEN): their groups hold only themselves.',
});
registerEnumType(AttemptMetric, { name: 'AttemptMetric', description: 'A metric attemptStats computes per group, in PostgreSQL.' });

@ObjectType({ description: 'The group a row of attemptStats describes: only the dimensions asked for are set, the rest are null.' })
export class AttemptStatsKey {
  @Field(() => ID, { nullable: true, description: "The exam's id (EXAM)." })
  examId?: string | null;

  @Field(() => String, { nullable: true, description: "The exam's subject (SUBJECT)." })
  subject?: string | null;

  @Field(() => String, { nullable: true, description: "The student's cohort (COHORT); null for a student with no profile." })
  cohort?: string | null;

  @Field(() => ID, { nullable: true, description: "The student's user id (STUDENT)." })
  studentId?: string | null;

  @Field(() => AttemptStatus, { nullable: true })
  status?: AttemptStatus | null;

  @Field(() => DropoutLabel, { nullable: true, description: 'DROPOUT_LABEL; null for attempts not judged (in progress, or no analysis).' })
  dropoutLabel?: DropoutLabel | null;

  @Field(() => Date, { nullable: true, description: 'Start of the UTC day (DAY) the attempt started.' })
  day?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Start of the ISO week, Monday 00:00 UTC (WEEK).' })
  week?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Start of the UTC month (MONTH).' })
  month?: Date | null;
}

@ObjectType({ description: "One group's metrics: only those asked for are set, the rest are null (as is a mean over no value, e.g. AVG_SCORE of attempts in progress)." })
export class AttemptStatsValues {
  @Field(() => Int, { nullable: true })
  count?: number | null;

  @Field(() => Float, { nullable: true, description: 'Mean percentage (0-100) of the scored attempts.' })
  avgScore?: number | null;

  @Field(() => Float, { nullable: true, description: 'Share (0-1) of the judged attempts that passed.' })
  passRate?: number | null;

  @Field(() => Float, { nullable: true, description: 'Mean integrity score (0-1).' })
  avgIntegrity?: number | null;

  @Field(() => Float, { nullable: true, description: 'Mean learning momentum index (0-1).' })
  avgLmi?: number | null;

  @Field(() => Int, { nullable: true, description: 'Attempts flagged by proctoring.' })
  flaggedCount?: number | null;

  @Field(() => Float, { nullable: true, description: 'Mean duration of the finished attempts, in seconds.' })
  avgDurationSeconds?: number | null;
}

@ObjectType({ description: 'One group of attemptStats.' })
export class AttemptStatsRow {
  @Field(() => AttemptStatsKey)
  key!: AttemptStatsKey;

  @Field(() => AttemptStatsValues)
  values!: AttemptStatsValues;
}

@ObjectType({ description: 'Groups of the attempts the caller may see, ordered by the keys in groupBy order (nulls last).' })
export class AttemptStats {
  @Field(() => [AttemptStatsRow])
  rows!: AttemptStatsRow[];

  @Field({ description: 'True when there were more groups than STATS_MAX_GROUPS: rows holds the first ones.' })
  truncated!: boolean;
}
