import { randomUUID } from 'node:crypto';
import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Rel } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { Quest } from './quest.entity';
import { User } from './user.entity';

/** A user taking part in a quest; created only by an approval (or a consistency repair). */
@ObjectType()
@Entity({ tableName: 'quest_participants' })
@Unique({ name: 'quest_participants_quest_user_unique', properties: ['quest', 'user'] })
export class QuestParticipant {
  [OptionalProps]?: 'joinedAt';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne({ entity: () => Quest, deleteRule: 'cascade' })
  quest!: Rel<Quest>;

  @ManyToOne({ entity: () => User, deleteRule: 'cascade', index: 'quest_participants_user_idx' })
  user!: Rel<User>;

  @Field()
  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  joinedAt: Date = new Date();
}
