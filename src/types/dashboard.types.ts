import { Field, Float, ObjectType, registerEnumType } from 'type-graphql';
import { DropoutLabel } from '../entities/exam-enums';
import type { ExamAttempt, PerformanceMetrics } from '../entities';

export enum IntegrityLevel {
  GOOD = 'GOOD',
  WATCH = 'WATCH',
  CONCERN = 'CONCERN',
}
registerEnumType(IntegrityLevel, { name: 'IntegrityLevel', description: 'GOOD from 0.8 (or no data), WATCH from 0.6, else CONCERN.' });

export enum AlertKind {
  INTEGRITY_FLAG = 'INTEGRITY_FLAG',
  HIGH_RISK_STUDENT = 'HIGH_RISK_STUDENT',
}
registerEnumType(AlertKind, { name: 'AlertKind' });

@ObjectType()
export class IntegrityStatus {
  @Field(() => IntegrityLevel)
  level!: IntegrityLevel;

  @Field(() => Float, { nullable: true })
  cumulativeIntegrity!: number | null;

  @Field()
  flaggedForReview!: boolean;
}

@ObjectType({ description: "A student's own view: read from the denormalised profile and performance rows." })
export class StudentDashboard {
  /** Whose dashboard: for the row rule and the field resolvers. */
  studentId!: string;

  @Field(() => IntegrityStatus)
  integrityStatus!: IntegrityStatus;

  @Field(() => DropoutLabel, { nullable: true })
  dropoutRisk!: DropoutLabel | null;

  @Field(() => [String])
  recommendations!: string[];
}

@ObjectType({ description: 'Something a teacher should look at: a flagged attempt or a high-risk student.' })
export class DashboardAlert {
  /** The teacher the alert was built for (row rule). */
  teacherId!: string;
  studentId!: string;
  attempt!: ExamAttempt | null;

  @Field(() => AlertKind)
  kind!: AlertKind;

  @Field()
  message!: string;

  @Field()
  at!: Date;
}

@ObjectType({ description: "A teacher's view of the exams they may see and the students they teach." })
export class TeacherDashboard {
  teacherId!: string;
  /** Loaded once by the root resolver; alerts are derived from them. */
  recent!: ExamAttempt[];
  flagged!: PerformanceMetrics[];
}
