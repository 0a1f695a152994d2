import { randomUUID } from 'node:crypto';
import { BigIntType, Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { AuditAction, AuditActorKind } from './audit-action';

/**
 * One entry of the tamper-evident audit log. Rows are append-only (a trigger refuses
 * UPDATE, DELETE and TRUNCATE); `hash` chains each entry to the one before it.
 */
@ObjectType()
@Entity({ tableName: 'audit_logs' })
@Index({ name: 'audit_logs_created_at_idx', properties: ['createdAt'] })
export class AuditLog {
  [OptionalProps]?: 'details' | 'actorUserId' | 'actorApiKeyId' | 'resourceType' | 'resourceId' | 'ip' | 'userAgent' | 'requestId';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field(() => Int, { description: 'Position in the chain: 1, 2, 3, … with no gaps.' })
  @Property({ type: new BigIntType('number'), unique: 'audit_logs_seq_unique' })
  seq!: number;

  @Field(() => AuditActorKind)
  @Property({ type: 'text' })
  actorKind!: AuditActorKind;

  @Field(() => ID, { nullable: true })
  @Property({ type: 'uuid', nullable: true })
  actorUserId?: string | null = null;

  @Field(() => ID, { nullable: true })
  @Property({ type: 'uuid', nullable: true })
  actorApiKeyId?: string | null = null;

  @Field(() => AuditAction)
  @Property({ type: 'text' })
  action!: AuditAction;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  resourceType?: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  resourceId?: string | null = null;

  @Field(() => GraphQLJSONObject)
  @Property({ type: 'jsonb' })
  details: Record<string, unknown> = {};

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  ip?: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  userAgent?: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  requestId?: string | null = null;

  @Field()
  @Property({ type: 'timestamptz' })
  createdAt!: Date;

  @Field({ description: 'Hash of the previous entry (64 zeros for the first).' })
  @Property({ type: 'character', length: 64 })
  prevHash!: string;

  @Field({ description: 'SHA-256 over prevHash and the canonical (RFC 8785) encoding of this entry.' })
  @Property({ type: 'character', length: 64 })
  hash!: string;
}
