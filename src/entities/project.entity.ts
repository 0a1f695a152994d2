import { Entity, Property } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';
import { BaseEntity } from './base.entity';

@ObjectType({ description: 'Owns LLM audit trails; deleting a project deletes its trails.' })
@Entity({ tableName: 'projects' })
export class Project extends BaseEntity<'retentionDays'> {
  /** Unique without regard to case (projects_name_unique on lower(name)). */
  @Field()
  @Property({ length: 200 })
  name!: string;

  @Field(() => Int, { nullable: true, description: "Days this project's trails are kept; null uses LLM_TRAIL_RETENTION_DAYS." })
  @Property({ type: 'integer', nullable: true })
  retentionDays?: number | null = null;
}
