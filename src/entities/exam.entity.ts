import { DecimalType, Entity, ManyToOne, Property, type Rel } from '@mikro-orm/core';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, Int, ObjectType } from 'type-graphql';
import { BaseEntity } from './base.entity';
import { User } from './user.entity';

/** One question of an exam's rubric. `answer` is the key: it stays in `metadata` and never reaches a student. */
export interface RubricQuestion {
  id: string;
  prompt: string;
  points: number;
  options?: string[];
  answer: string;
}

/** What `exams.metadata` holds: free-form rules for the exam and the rubric it is scored against. */
export interface ExamMetadata {
  rules?: Record<string, unknown>;
  rubric?: { questions: RubricQuestion[] };
  [key: string]: unknown;
}

@ObjectType({ description: 'An exam created by a teacher; students take attempts on it once it is published.' })
@Entity({ tableName: 'exams' })
export class Exam extends BaseEntity<
  | 'description'
  | 'topic'
  | 'isPublished'
  | 'publishedAt'
  | 'enableMonitoring'
  | 'enableIntegrityAnalysis'
  | 'maxAttempts'
  | 'allowReview'
  | 'metadata'
> {
  @ManyToOne({ entity: () => User })
  creator!: Rel<User>;

  @Field()
  @Property({ length: 200 })
  title!: string;

  @Field()
  @Property({ type: 'text', default: '' })
  description: string = '';

  @Field()
  @Property({ length: 64 })
  subject!: string;

  @Field(() => String, { nullable: true })
  @Property({ length: 128, nullable: true })
  topic?: string | null = null;

  @Field(() => Float)
  @Property({ type: new DecimalType('number'), columnType: 'numeric(10,2)' })
  maxScore!: number;

  @Field(() => Int)
  @Property()
  durationMinutes!: number;

  @Field(() => Float)
  @Property({ type: new DecimalType('number'), columnType: 'numeric(10,2)' })
  passingScore!: number;

  @Field()
  @Property({ default: false })
  isPublished: boolean = false;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  publishedAt?: Date | null = null;

  @Field()
  @Property({ default: false })
  enableMonitoring: boolean = false;

  @Field()
  @Property({ default: false })
  enableIntegrityAnalysis: boolean = false;

  @Field(() => Int, { description: 'Attempts each student may start, whatever becomes of them; the database enforces it.' })
  @Property({ default: 1 })
  maxAttempts: number = 1;

  @Field({ description: 'Whether a student sees per-question results (ExamAttempt.review) once their last attempt is submitted.' })
  @Property({ default: false })
  allowReview: boolean = false;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Rules and the rubric with its answer key: for those who may edit the exam.' })
  @Property({ type: 'jsonb', default: '{}' })
  metadata: ExamMetadata = {};
}
