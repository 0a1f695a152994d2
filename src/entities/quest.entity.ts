import { Collection, Entity, Enum, Index, ManyToOne, OneToMany, Property, type Rel } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';
import { BaseEntity } from './base.entity';
import { QuestStatus } from './quest-enums';
import type { QuestApplication } from './quest-application.entity';
import type { QuestParticipant } from './quest-participant.entity';
import { User } from './user.entity';

/**
 * A peer-learning quest. Creator, assignee, applications and participants reach the
 * schema through field resolvers and the request's loaders, never through these
 * relations, so a page of quests costs a constant number of statements.
 */
@ObjectType({ description: 'A peer-learning quest: its creator publishes it, students apply, approvals make participants.' })
@Entity({ tableName: 'quests' })
@Index({ name: 'quests_created_at_idx', properties: ['createdAt', 'id'] })
export class Quest extends BaseEntity<'status' | 'assignedTo' | 'maxParticipants' | 'description'> {
  @Field()
  @Property({ length: 200 })
  title!: string;

  @Field()
  @Property({ type: 'text', default: '' })
  description: string = '';

  @ManyToOne({ entity: () => User, index: 'quests_creator_idx' })
  creator!: Rel<User>;

  @Field(() => QuestStatus)
  @Enum({ items: () => QuestStatus, default: QuestStatus.OPEN })
  status: QuestStatus = QuestStatus.OPEN;

  @ManyToOne({ entity: () => User, nullable: true, index: 'quests_assigned_to_idx' })
  assignedTo?: Rel<User> | null = null;

  @Field(() => Int, { nullable: true, description: 'At most this many participants; no limit when null.' })
  @Property({ type: 'integer', nullable: true })
  maxParticipants?: number | null = null;

  /** For scoping filters ($some) only. */
  @OneToMany({ entity: 'QuestApplication', mappedBy: 'quest' })
  applications = new Collection<QuestApplication>(this);

  /** For scoping filters ($some) only. */
  @OneToMany({ entity: 'QuestParticipant', mappedBy: 'quest' })
  participants = new Collection<QuestParticipant>(this);
}
