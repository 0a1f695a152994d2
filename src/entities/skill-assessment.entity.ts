import { DecimalType, Entity, Enum, ManyToOne, Property, type Rel } from '@mikro-orm/core';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ObjectType } from 'type-graphql';
import { BaseEntity } from './base.entity';
import { AssessmentSource, SkillType } from './skill';
import { User } from './user.entity';

@ObjectType({ description: 'A score for one social skill of one student, produced by an AI or ML service.' })
@Entity({ tableName: 'skill_assessments' })
export class SkillAssessment extends BaseEntity<'featureImportance'> {
  /** Exposed through a field resolver and the request's loader, not eagerly joined. */
  @ManyToOne({ entity: () => User, deleteRule: 'cascade' })
  student!: Rel<User>;

  @Field(() => SkillType)
  @Enum({ items: () => SkillType })
  skillType!: SkillType;

  @Field(() => Float, { description: 'From 0 to 1, exact to 4 decimals.' })
  @Property({ type: new DecimalType('number'), precision: 5, scale: 4 })
  score!: number;

  @Field(() => Float, { description: 'How sure the model is, from 0 to 1, exact to 4 decimals.' })
  @Property({ type: new DecimalType('number'), precision: 5, scale: 4 })
  confidence!: number;

  @Field(() => String, {
    nullable: true,
    description: "The model's explanation. Never shown to students: for them it is null with a FORBIDDEN error.",
  })
  @Property({ type: 'text' })
  reasoning!: string;

  @Field(() => AssessmentSource)
  @Enum({ items: () => AssessmentSource })
  source!: AssessmentSource;

  @Field()
  @Property({ length: 128 })
  modelName!: string;

  @Field()
  @Property({ length: 64 })
  modelVersion!: string;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Feature name to weight, when the model reports it.' })
  @Property({ type: 'jsonb', nullable: true })
  featureImportance?: Record<string, number> | null = null;
}
