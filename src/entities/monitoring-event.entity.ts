import { Entity, Enum, ManyToOne, PrimaryKey, Property, type Rel } from '@mikro-orm/core';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, ObjectType } from 'type-graphql';
import { ExamAttempt } from './exam-attempt.entity';
import { MonitoringSeverity } from './monitoring-enums';
import { User } from './user.entity';

/**
 * One proctoring event. Written only in bulk (one statement per batch) and read through SQL,
 * never through the unit of work; the mapping gives the ORM (and the leak test) the table's
 * columns and references. In the database the primary key is (attempt, eventId, the
 * partition key): `id` is unique by generation, for clients that want a handle.
 */
@ObjectType({ description: 'A proctoring event of an attempt. Staff only: students never see events.' })
@Entity({ tableName: 'monitoring_events' })
export class MonitoringEvent {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @ManyToOne({ entity: () => ExamAttempt })
  attempt!: Rel<ExamAttempt>;

  @ManyToOne({ entity: () => User })
  student!: Rel<User>;

  /** The month partition: the attempt's start, copied onto each event. */
  @Property({ type: 'timestamptz' })
  attemptStartedAt!: Date;

  @Field({ description: 'Chosen by the client, unique within the attempt: a retried event is stored once.' })
  @Property({ length: 64 })
  eventId!: string;

  @Field({ description: 'A short identifier such as eye_movement or window_focus.' })
  @Property({ length: 64 })
  eventType!: string;

  @Field(() => MonitoringSeverity)
  @Enum({ items: () => MonitoringSeverity })
  severity!: MonitoringSeverity;

  @Field(() => GraphQLJSONObject)
  @Property({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @Field()
  @Property()
  isAnomaly!: boolean;

  @Field(() => Float, { nullable: true })
  @Property({ type: 'real', nullable: true })
  anomalyScore!: number | null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  description!: string | null;

  @Field()
  @Property({ type: 'timestamptz' })
  clientTimestamp!: Date;

  @Field({ description: 'When the server stored it.' })
  @Property({ type: 'timestamptz' })
  serverTimestamp!: Date;
}

/** An event as read for GraphQL: the columns, with the ids the row rule needs. */
export type MonitoringEventRow = Omit<MonitoringEvent, 'attempt' | 'student' | 'attemptStartedAt'> & { attemptId: string; examId: string };
