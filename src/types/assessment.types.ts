import { Field, Float, Int, ObjectType } from 'type-graphql';
import { SkillAssessment, User } from '../entities';
import { SkillTrend, SkillType } from '../entities/skill';
import { Connection } from './connection';

@ObjectType()
export class SkillAssessmentConnection extends Connection(SkillAssessment) {}

@ObjectType({ description: 'How many assessments the caller can see for one skill.' })
export class SkillCount {
  @Field(() => SkillType)
  skillType!: SkillType;

  @Field(() => Int)
  count!: number;

  @Field(() => Float, { nullable: true, description: 'Mean score, rounded to 4 decimals; null when count is 0.' })
  averageScore!: number | null;
}

@ObjectType()
export class SkillSummary {
  @Field(() => SkillType)
  skillType!: SkillType;

  @Field(() => Int)
  assessmentCount!: number;

  @Field(() => Float)
  latestScore!: number;

  @Field(() => Float)
  latestConfidence!: number;

  @Field()
  latestAt!: Date;

  @Field(() => Float, { nullable: true })
  previousScore!: number | null;

  @Field(() => Float, { nullable: true, description: 'latestScore - previousScore, exact.' })
  change!: number | null;

  @Field(() => SkillTrend)
  trend!: SkillTrend;
}

@ObjectType({ description: "A student's latest score per skill, with its trend." })
export class StudentSkillSummary {
  @Field(() => User)
  student!: User;

  @Field(() => [SkillSummary], { description: 'Skills with at least one assessment, in SkillType order.' })
  skills!: SkillSummary[];

  @Field(() => [SkillType], { description: 'Primary skills (EMPATHY, PROBLEM_SOLVING, RESILIENCE, SELF_REGULATION) never assessed.' })
  missingPrimarySkills!: SkillType[];
}
