import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { DropoutLabel } from '../entities/exam-enums';

@ObjectType({ description: 'One row of exam_performance_summary: completed attempts of an exam, as of the last refresh.' })
export class ExamPerformanceSummary {
  @Field(() => ID)
  examId!: string;

  @Field(() => Int)
  uniqueStudents!: number;

  @Field(() => Int)
  attempts!: number;

  @Field(() => Float, { nullable: true, description: 'Mean percentage.' })
  averageScore!: number | null;

  @Field(() => Float, { nullable: true, description: 'Passed / completed, 0 to 1.' })
  passRate!: number | null;

  @Field(() => Float, { nullable: true })
  averageIntegrity!: number | null;

  @Field(() => Int)
  highRiskCount!: number;

  @Field(() => Date, { nullable: true })
  lastAttemptAt!: Date | null;
}

@ObjectType({ description: 'Exam summaries the caller may see, from the view, and when it was refreshed.' })
export class ExamPerformanceReport {
  @Field({ description: 'When exam_performance_summary was last refreshed: the rows are as of then.' })
  refreshedAt!: Date;

  @Field(() => [ExamPerformanceSummary])
  items!: ExamPerformanceSummary[];

  @Field({ description: 'More rows after the last one: ask again with after = its id.' })
  hasMore!: boolean;
}

@ObjectType({ description: 'One row of student_risk_summary, as of the last refresh.' })
export class StudentRiskSummary {
  @Field(() => ID)
  studentId!: string;

  @Field()
  cohort!: string;

  @Field(() => DropoutLabel, { nullable: true })
  risk!: DropoutLabel | null;

  @Field(() => Float, { nullable: true })
  cumulativeIntegrity!: number | null;

  @Field(() => Float, { nullable: true })
  cumulativeLmi!: number | null;

  @Field(() => Int)
  attempts!: number;

  @Field(() => Int)
  flaggedCount!: number;

  @Field(() => Date, { nullable: true })
  lastAttemptAt!: Date | null;
}

@ObjectType({ description: 'Student risk rows the caller may see, from the view, and when it was refreshed.' })
export class StudentRiskReport {
  @Field({ description: 'When student_risk_summary was last refreshed.' })
  refreshedAt!: Date;

  @Field(() => [StudentRiskSummary])
  items!: StudentRiskSummary[];

  @Field({ description: 'More rows after the last one: ask again with after = its studentId.' })
  hasMore!: boolean;
}

@ObjectType()
export class ViewRefreshResult {
  @Field()
  name!: string;

  @Field()
  refreshedAt!: Date;

  @Field(() => Int)
  durationMs!: number;
}

@ObjectType({ description: 'What refreshAnalyticsViews did.' })
export class AnalyticsRefresh {
  @Field(() => [ViewRefreshResult])
  views!: ViewRefreshResult[];
}
