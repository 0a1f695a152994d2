import { randomUUID } from 'node:crypto';
import { DecimalType, Entity, Enum, ManyToOne, OptionalProps, PrimaryKey, Property, type Rel } from '@mikro-orm/core';
import { Field, Float, ID, ObjectType } from 'type-graphql';
import { EvidenceKind } from './skill';
import { SkillAssessment } from './skill-assessment.entity';

@ObjectType({ description: 'A quote or observation an assessment rests on. Written once, never updated.' })
@Entity({ tableName: 'evidence' })
export class Evidence {
  [OptionalProps]?: 'createdAt' | 'sourceRef' | 'relevance';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne({ entity: () => SkillAssessment, deleteRule: 'cascade' })
  assessment!: Rel<SkillAssessment>;

  @Field(() => EvidenceKind)
  @Enum({ items: () => EvidenceKind })
  kind!: EvidenceKind;

  @Field({ description: 'The quote or the observation.' })
  @Property({ type: 'text' })
  content!: string;

  @Field(() => String, { nullable: true, description: 'Where it came from: a transcript id, a game session id, ...' })
  @Property({ length: 256, nullable: true })
  sourceRef?: string | null = null;

  @Field(() => Float, { nullable: true, description: 'How much it weighs in the assessment, from 0 to 1.' })
  @Property({ type: new DecimalType('number'), precision: 5, scale: 4, nullable: true })
  relevance?: number | null = null;

  @Field()
  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
