import { DecimalType, Entity, Enum, ManyToOne, Property, type Rel } from '@mikro-orm/core';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, Int, ObjectType } from 'type-graphql';
import { BaseEntity } from './base.entity';
import { AttemptStatus, DropoutLabel } from './exam-enums';
import { Exam } from './exam.entity';
import { MonitoringSeverity } from './monitoring-enums';
import { User } from './user.entity';

const decimal = (columnType: string) => ({ type: new DecimalType('number'), columnType, nullable: true });

@ObjectType({ description: "A student's attempt at an exam." })
@Entity({ tableName: 'exam_attempts' })
export class ExamAttempt extends BaseEntity<
  | 'status'
  | 'score'
  | 'percentage'
  | 'passed'
  | 'integrityScore'
  | 'lmi'
  | 'dropoutLabel'
  | 'flagged'
  | 'flagSeverity'
  | 'startedAt'
  | 'completedAt'
  | 'durationSeconds'
  | 'submissionData'
  | 'metadata'
> {
  @ManyToOne({ entity: () => Exam, deleteRule: 'cascade' })
  exam!: Rel<Exam>;

  @ManyToOne({ entity: () => User, deleteRule: 'cascade' })
  student!: Rel<User>;

  @Field(() => AttemptStatus)
  @Enum({ items: () => AttemptStatus, default: AttemptStatus.IN_PROGRESS })
  status: AttemptStatus = AttemptStatus.IN_PROGRESS;

  @Field(() => Float, { nullable: true })
  @Property(decimal('numeric(10,2)'))
  score?: number | null = null;

  @Field(() => Float, { description: "The exam's maxScore when the attempt started." })
  @Property({ type: new DecimalType('number'), columnType: 'numeric(10,2)' })
  maxScore!: number;

  @Field(() => Float, { nullable: true })
  @Property(decimal('numeric(5,2)'))
  percentage?: number | null = null;

  @Field(() => Boolean, { nullable: true })
  @Property({ nullable: true })
  passed?: boolean | null = null;

  @Field(() => Float, { nullable: true, description: '0 (no trust) to 1 (no integrity concerns); null when the exam has no integrity analysis.' })
  @Property(decimal('numeric(5,4)'))
  integrityScore?: number | null = null;

  @Field(() => Float, { nullable: true, description: 'Learning momentum index, 0 to 1; above 0.5 means improving on earlier attempts.' })
  @Property(decimal('numeric(5,4)'))
  lmi?: number | null = null;

  @Field(() => DropoutLabel, { nullable: true })
  @Enum({ items: () => DropoutLabel, nullable: true })
  dropoutLabel?: DropoutLabel | null = null;

  @Field()
  @Property({ default: false })
  flagged: boolean = false;

  @Field(() => MonitoringSeverity, { nullable: true, description: 'Set when proctoring events flagged the attempt: WARNING or CRITICAL.' })
  @Enum({ items: () => MonitoringSeverity, nullable: true })
  flagSeverity?: MonitoringSeverity | null = null;

  @Field()
  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  startedAt: Date = new Date();

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  completedAt?: Date | null = null;

  @Field(() => Int, { nullable: true })
  @Property({ nullable: true })
  durationSeconds?: number | null = null;

  @Field(() => GraphQLJSONObject, { description: 'What the student submitted: responses and drafts.' })
  @Property({ type: 'jsonb', default: '{}' })
  submissionData: Record<string, unknown> = {};

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Client address, browser and raw proctoring data: staff only.' })
  @Property({ type: 'jsonb', default: '{}' })
  metadata: Record<string, unknown> = {};
}
