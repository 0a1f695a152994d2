import { Field, ID, Int, ObjectType } from 'type-graphql';
import { QuestFindingCategory, QuestRepairAction } from '../services/quest-consistency/categories';

@ObjectType({ description: 'One drift in the quest data and the repair that fixes it.' })
export class QuestConsistencyFinding {
  @Field(() => QuestFindingCategory)
  category!: QuestFindingCategory;

  @Field(() => ID)
  questId!: string;

  @Field()
  questTitle!: string;

  @Field()
  questCreatedAt!: Date;

  @Field(() => ID, { description: 'The user it concerns: applicant, participant, assignee, or the creator for a quest status.' })
  userId!: string;

  @Field(() => String, { nullable: true })
  username!: string | null;

  @Field({ description: 'When the drifted row was recorded (decision, join, last change of the quest).' })
  occurredAt!: Date;

  @Field()
  detail!: string;

  @Field(() => QuestRepairAction, { description: 'What the repair does.' })
  repairAction!: QuestRepairAction;

  @Field({ description: 'The repair in words, with the rows it touches.' })
  repairDescription!: string;
}

@ObjectType()
export class QuestFindingCount {
  @Field(() => QuestFindingCategory)
  category!: QuestFindingCategory;

  @Field(() => Int)
  count!: number;
}

@ObjectType()
export class QuestConsistencyReport {
  @Field()
  checkedAt!: Date;

  @Field(() => ID, { nullable: true, description: 'The user the audit was narrowed to; null for all quests.' })
  userId!: string | null;

  @Field(() => Int)
  questsChecked!: number;

  @Field(() => [QuestFindingCount], { description: 'Every category, zeros included.' })
  counts!: QuestFindingCount[];

  @Field(() => [QuestConsistencyFinding])
  findings!: QuestConsistencyFinding[];
}

@ObjectType()
export class QuestRepairResult {
  @Field()
  dryRun!: boolean;

  @Field(() => [QuestConsistencyFinding], { description: 'The findings with their repairs: planned on a dry run, applied otherwise.' })
  repairs!: QuestConsistencyFinding[];

  @Field(() => QuestConsistencyReport, { nullable: true, description: 'The audit run again after the repairs committed; null on a dry run.' })
  after!: QuestConsistencyReport | null;
}
