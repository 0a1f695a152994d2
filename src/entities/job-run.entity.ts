import { BigIntType, Entity, Enum, Index, Property } from '@mikro-orm/core';
import { GraphQLJSONObject, GraphQLSafeInt } from 'graphql-scalars';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { BaseEntity } from './base.entity';

export enum JobRunStatus {
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
}

export enum JobTrigger {
  SCHEDULE = 'SCHEDULE',
  CLI = 'CLI',
}

registerEnumType(JobRunStatus, { name: 'JobRunStatus' });
registerEnumType(JobTrigger, { name: 'JobTrigger', description: 'What started a run: the scheduler or `assay jobs run`.' });

/** One run of a scheduled job on one instance. */
@ObjectType()
@Entity({ tableName: 'job_runs' })
@Index({ name: 'job_runs_name_created_idx', properties: ['jobName', 'createdAt'] })
export class JobRun extends BaseEntity<'finishedAt' | 'rowsAffected' | 'error' | 'details'> {
  @Field()
  @Property({ length: 100 })
  jobName!: string;

  @Field(() => JobTrigger)
  @Enum({ items: () => JobTrigger })
  trigger!: JobTrigger;

  @Field({ description: 'Host and process that ran it.' })
  @Property({ length: 200 })
  instance!: string;

  @Field(() => JobRunStatus)
  @Enum({ items: () => JobRunStatus })
  status!: JobRunStatus;

  @Field()
  @Property({ type: 'timestamptz' })
  startedAt!: Date;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  finishedAt?: Date | null = null;

  @Field(() => GraphQLSafeInt, { nullable: true, description: 'Rows the run changed or removed.' })
  @Property({ type: new BigIntType('number'), nullable: true })
  rowsAffected?: number | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  error?: string | null = null;

  @Field(() => GraphQLJSONObject)
  @Property({ type: 'jsonb' })
  details: Record<string, unknown> = {};
}
