import { DecimalType, Entity, Enum, Index, OneToOne, Property, Unique, type Rel } from '@mikro-orm/core';
import { Field, Float, Int, ObjectType } from 'type-graphql';
import { BaseEntity } from './base.entity';
import { DropoutLabel } from './exam-enums';
import { User } from './user.entity';

@ObjectType()
@Entity({ tableName: 'student_profiles' })
@Index({ name: 'student_profiles_cohort_idx', properties: ['cohort'] })
export class StudentProfile extends BaseEntity<
  'cumulativeIntegrity' | 'cumulativeLmi' | 'attemptsCompleted' | 'attemptsPassed' | 'currentDropoutRisk' | 'flaggedForReview'
> {
  @OneToOne({ entity: () => User, owner: true, deleteRule: 'cascade', unique: 'student_profiles_user_unique' })
  user!: Rel<User>;

  @Field()
  @Property({ length: 64 })
  @Unique({ name: 'student_profiles_enrollment_unique' })
  enrollmentId!: string;

  @Field()
  @Property({ length: 64 })
  cohort!: string;

  // Exam aggregates, rewritten with every submitted attempt (services/exams/aggregates.ts).

  @Field(() => Float, { nullable: true, description: 'Average integrity over completed exam attempts.' })
  @Property({ type: new DecimalType('number'), columnType: 'numeric(5,4)', nullable: true })
  cumulativeIntegrity?: number | null = null;

  @Field(() => Float, { nullable: true, description: 'Average learning momentum index over completed exam attempts.' })
  @Property({ type: new DecimalType('number'), columnType: 'numeric(5,4)', nullable: true })
  cumulativeLmi?: number | null = null;

  @Field(() => Int)
  @Property({ default: 0 })
  attemptsCompleted: number = 0;

  @Field(() => Int)
  @Property({ default: 0 })
  attemptsPassed: number = 0;

  @Field(() => DropoutLabel, { nullable: true })
  @Enum({ items: () => DropoutLabel, nullable: true })
  currentDropoutRisk?: DropoutLabel | null = null;

  @Field({ description: 'Some completed attempt was flagged for an integrity review.' })
  @Property({ default: false })
  flaggedForReview: boolean = false;
}
