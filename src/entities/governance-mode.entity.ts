import { Entity, Property } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity } from './base.entity';

/** What a key may look like: lowercase letters, digits, `-` and `_`, 2-50, starting with a letter (checked in the database too). */
export const GOVERNANCE_MODE_KEY = /^[a-z][a-z0-9_-]{1,49}$/;

@ObjectType({
  description:
    'How much the AI may decide on its own when a workflow or LLM call runs under it. Admins manage the list; ' +
    'a retired mode stays for history but tags no new work.',
})
@Entity({ tableName: 'governance_modes' })
export class GovernanceMode extends BaseEntity<'description' | 'retiredAt'> {
  @Field({ description: 'Stable identifier, passed as `mode` to startWorkflow and recordLlmCall.' })
  @Property({ length: 50, unique: 'governance_modes_key_unique' })
  key!: string;

  @Field()
  @Property({ length: 200 })
  name!: string;

  @Field()
  @Property({ type: 'text' })
  description: string = '';

  @Field(() => Date, { nullable: true, description: 'When it was retired; null while it may tag new work.' })
  @Property({ type: 'timestamptz', nullable: true })
  retiredAt?: Date | null = null;
}
