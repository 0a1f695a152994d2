import { Entity, Enum, Index, ManyToOne, Property, type Rel } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity } from './base.entity';
import { QuestApplicationStatus } from './quest-enums';
import { Quest } from './quest.entity';
import { User } from './user.entity';

/** A student's request to join a quest; one live (PENDING or APPROVED) per quest and applicant. */
@ObjectType()
@Entity({ tableName: 'quest_applications' })
@Index({ name: 'quest_applications_quest_idx', properties: ['quest', 'createdAt'] })
export class QuestApplication extends BaseEntity<'status' | 'message' | 'decidedBy' | 'decidedAt' | 'decisionReason'> {
  @ManyToOne({ entity: () => Quest, deleteRule: 'cascade' })
  quest!: Rel<Quest>;

  @ManyToOne({ entity: () => User, deleteRule: 'cascade', index: 'quest_applications_applicant_idx' })
  applicant!: Rel<User>;

  @Field(() => QuestApplicationStatus)
  @Enum({ items: () => QuestApplicationStatus, default: QuestApplicationStatus.PENDING })
  status: QuestApplicationStatus = QuestApplicationStatus.PENDING;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  message?: string | null = null;

  /** Null for decisions the system took (closing a quest, consistency repairs). */
  @ManyToOne({ entity: () => User, nullable: true })
  decidedBy?: Rel<User> | null = null;

  @Field(() => Date, { nullable: true, description: 'When it stopped being PENDING.' })
  @Property({ type: 'timestamptz', nullable: true })
  decidedAt?: Date | null = null;

  @Field(() => String, { nullable: true, description: 'Why it was rejected (or who recorded it, for repairs).' })
  @Property({ type: 'text', nullable: true })
  decisionReason?: string | null = null;
}
