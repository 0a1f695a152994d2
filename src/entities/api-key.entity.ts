import { ArrayType, Entity, ManyToOne, Property, Unique, type Rel } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity } from './base.entity';
import { User } from './user.entity';

@ObjectType({ description: 'A key for notebooks and integrators; acts as its owner, narrowed to its scopes.' })
@Entity({ tableName: 'api_keys' })
export class ApiKey extends BaseEntity<'lastUsedAt' | 'revokedAt' | 'expiresAt'> {
  @ManyToOne({ entity: () => User, deleteRule: 'cascade', index: 'api_keys_owner_idx' })
  owner!: Rel<User>;

  @Field()
  @Property({ length: 100 })
  name!: string;

  @Field({ description: 'The first characters of the key, to recognise it; the key itself is shown once.' })
  @Property({ length: 16 })
  prefix!: string;

  /** SHA-256 of the whole key, hex. */
  @Property({ length: 64, hidden: true })
  @Unique({ name: 'api_keys_key_hash_unique' })
  keyHash!: string;

  @Field(() => [String])
  @Property({ type: ArrayType, columnType: 'text[]' })
  scopes!: string[];

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  expiresAt?: Date | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  lastUsedAt?: Date | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  revokedAt?: Date | null = null;
}
