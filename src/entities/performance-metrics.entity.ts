import { ArrayType, DecimalType, Entity, Enum, OneToOne, Property, type Rel } from '@mikro-orm/core';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, Int, ObjectType } from 'type-graphql';
import { BaseEntity } from './base.entity';
import { DropoutLabel } from './exam-enums';
import { User } from './user.entity';

const decimal = (columnType: string) => ({ type: new DecimalType('number'), columnType, nullable: true });

/**
 * One row per student, rewritten from the student's completed attempts in the same
 * transaction as every submission (see services/exams/aggregates.ts), so dashboards read
 * it instead of aggregating attempts.
 */
@ObjectType({ description: "A student's exam performance, kept current with every submitted attempt." })
@Entity({ tableName: 'performance_metrics' })
export class PerformanceMetrics extends BaseEntity {
  @OneToOne({ entity: () => User, owner: true, deleteRule: 'cascade', unique: 'performance_metrics_student_unique' })
  student!: Rel<User>;

  @Field(() => Int, { description: 'Completed attempts.' })
  @Property()
  totalAttempts!: number;

  @Field(() => Int)
  @Property()
  passedAttempts!: number;

  @Field(() => Float, { nullable: true, description: 'Average percentage over completed attempts.' })
  @Property(decimal('numeric(5,2)'))
  averageScore?: number | null;

  @Field(() => GraphQLJSONObject, { description: 'Per subject: { attempts, averagePercentage }.' })
  @Property({ type: 'jsonb' })
  subjectScores!: Record<string, { attempts: number; averagePercentage: number }>;

  @Field(() => [String], { description: 'Subjects averaging 75 % or more.' })
  @Property({ type: ArrayType, columnType: 'text[]' })
  strengths!: string[];

  @Field(() => [String], { description: 'Subjects averaging under 50 %.' })
  @Property({ type: ArrayType, columnType: 'text[]' })
  weaknesses!: string[];

  @Field(() => Float, { nullable: true })
  @Property(decimal('numeric(5,4)'))
  averageIntegrity?: number | null;

  @Field(() => Float, { nullable: true, description: 'Latest integrity minus the average before it (negative: declining).' })
  @Property(decimal('numeric(5,4)'))
  integrityTrend?: number | null;

  @Field(() => Float, { nullable: true })
  @Property(decimal('numeric(5,4)'))
  averageLmi?: number | null;

  @Field(() => Float, { nullable: true, description: 'Latest LMI minus the average before it.' })
  @Property(decimal('numeric(5,4)'))
  lmiTrend?: number | null;

  @Field(() => DropoutLabel, { nullable: true, description: 'The label of the latest completed attempt.' })
  @Enum({ items: () => DropoutLabel, nullable: true })
  currentRiskLabel?: DropoutLabel | null;

  @Field()
  @Property()
  flaggedForIntervention!: boolean;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  lastAttemptAt?: Date | null;
}
