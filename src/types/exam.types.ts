import { Field, Float, ObjectType } from 'type-graphql';
import { Exam, ExamAttempt } from '../entities';
import type { QuestionReview } from '../services/exams/scoring';
import { Connection } from './connection';

@ObjectType({ description: 'A rubric question as students see it: without the answer.' })
export class ExamQuestion {
  @Field()
  id!: string;

  @Field()
  prompt!: string;

  @Field(() => Float)
  points!: number;

  @Field(() => [String])
  options!: string[];
}

@ObjectType({ description: 'One question of a submitted attempt, judged against the answer key.' })
export class QuestionResult implements QuestionReview {
  @Field()
  questionId!: string;

  @Field()
  prompt!: string;

  @Field(() => Float)
  points!: number;

  @Field(() => String, { nullable: true, description: 'What the student answered; null when left out.' })
  answer!: string | null;

  @Field()
  correct!: boolean;

  @Field(() => Float)
  pointsAwarded!: number;

  @Field()
  correctAnswer!: string;
}

@ObjectType({ description: "The caller's rights on an exam." })
export class ExamPermissions {
  @Field()
  canView!: boolean;

  @Field()
  canEdit!: boolean;

  @Field()
  canViewAnalytics!: boolean;
}

@ObjectType()
export class ExamConnection extends Connection(Exam) {}

@ObjectType()
export class ExamAttemptConnection extends Connection(ExamAttempt) {}
