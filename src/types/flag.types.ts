import { IsEnum, IsOptional, IsUUID, Matches } from 'class-validator';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { FlagReason, MonitoringSeverity } from '../entities/monitoring-enums';
import { Connection } from './connection';

@ObjectType({ description: 'One row of the flag log: an attempt flagged by its events or by an analysis.' })
export class FlagAlert {
  @Field(() => Int, { description: 'The flag\'s identity in the log: gap-free, increasing, read as "everything after seq N".' })
  seq!: number;

  @Field(() => FlagReason)
  reason!: FlagReason;

  @Field(() => MonitoringSeverity)
  severity!: MonitoringSeverity;

  @Field(() => GraphQLJSONObject)
  details!: Record<string, unknown>;

  @Field()
  at!: Date;

  attemptId!: string;
  studentId!: string;
  examId!: string;
}

@ObjectType({ description: 'A flag delivered by studentFlagged: a row of the flag log, with the cursor to resume after it.' })
export class StudentFlaggedEvent extends FlagAlert {
  @Field({ description: 'Pass it as `after` when reconnecting to receive exactly what came after this event.' })
  cursor!: string;
}

@ObjectType('FlagAlertConnection')
export class FlagAlertConnection extends Connection(FlagAlert) {}

@ObjectType({ description: 'A student flagged for review, with what their flags add up to in the exams the caller may view.' })
export class FlaggedStudent {
  @Field(() => ID)
  id!: string;

  @Field()
  cohort!: string;

  @Field(() => MonitoringSeverity, { description: 'The highest severity among the flags counted.' })
  highestSeverity!: MonitoringSeverity;

  @Field(() => Int)
  flaggedAttempts!: number;

  @Field(() => Int)
  flags!: number;

  @Field()
  lastFlaggedAt!: Date;

  lastSeq!: number;
  /** The exams of the counted flags: the row rule checks the caller may view one of them. */
  examIds!: string[];
}

@ObjectType('FlaggedStudentConnection')
export class FlaggedStudentConnection extends Connection(FlaggedStudent) {}

@InputType()
export class FlaggedStudentFilter {
  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID('all', { message: 'examId must be a UUID' })
  examId?: string;

  @Field({ nullable: true })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'cohort must be 1-64 letters, digits, dots, dashes or underscores' })
  cohort?: string;

  @Field(() => MonitoringSeverity, { nullable: true, description: 'WARNING (the default) or CRITICAL.' })
  @IsOptional()
  @IsEnum(MonitoringSeverity)
  minSeverity?: MonitoringSeverity;
}
