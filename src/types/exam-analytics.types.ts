import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { DropoutLabel } from '../entities/exam-enums';

@ObjectType({ description: 'Completed attempts whose percentage falls in [from, to) (the last bucket includes 100).' })
export class ScoreBucket {
  @Field(() => Int)
  from!: number;

  @Field(() => Int)
  to!: number;

  @Field(() => Int)
  count!: number;
}

@ObjectType({ description: "One student's completed attempts on the exam." })
export class ExamAnalyticsStudent {
  /** Carried for the row rule and the student field; not a field itself. */
  examId!: string;
  studentId!: string;

  @Field(() => Int)
  attempts!: number;

  @Field(() => Float)
  bestPercentage!: number;

  @Field(() => Float)
  averagePercentage!: number;

  @Field({ description: 'Passed at least once.' })
  passed!: boolean;

  @Field(() => Float, { nullable: true })
  averageIntegrity!: number | null;

  @Field(() => DropoutLabel)
  latestDropoutLabel!: DropoutLabel;

  @Field({ description: 'Some attempt was flagged.' })
  flagged!: boolean;

  @Field()
  lastCompletedAt!: Date;
}

@ObjectType({ description: "Figures over an exam's completed attempts; needs canViewAnalytics." })
export class ExamAnalytics {
  @Field(() => ID)
  examId!: string;

  @Field(() => Int, { description: 'Completed attempts.' })
  attempts!: number;

  @Field(() => Int)
  inProgress!: number;

  @Field(() => Int)
  uniqueStudents!: number;

  @Field(() => Float, { nullable: true, description: 'Average percentage.' })
  averageScore!: number | null;

  @Field(() => Float, { nullable: true, description: 'Share of completed attempts that passed, 0 to 1.' })
  passRate!: number | null;

  @Field(() => Float, { nullable: true })
  averageIntegrity!: number | null;

  @Field(() => Int)
  highRiskCount!: number;

  @Field(() => Int)
  flaggedCount!: number;

  @Field(() => [ScoreBucket])
  scoreDistribution!: ScoreBucket[];

  @Field(() => [ExamAnalyticsStudent], { description: 'Per student, best average first.' })
  students!: ExamAnalyticsStudent[];
}
