import { ArrayMaxSize, IsOptional, IsUUID, Matches } from 'class-validator';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, InputType } from 'type-graphql';
import { z } from 'zod';
import { MonitoringSeverity } from '../entities/monitoring-enums';

export const EVENT_TYPE = /^[a-z][a-z0-9_]{0,63}$/;
const EVENT_TYPE_RULE = 'eventType must be a lowercase identifier: a letter, then up to 63 letters, digits or underscores';

@InputType({ description: 'One proctoring event; a batch is validated whole before anything is stored.' })
export class MonitoringEventInput {
  @Field({ description: 'Chosen by the client (1-64 characters), unique within the attempt: resending it is counted as a duplicate.' })
  eventId!: string;

  @Field({ description: 'eye_movement, window_focus, keystroke, …: [a-z][a-z0-9_]{0,63}.' })
  eventType!: string;

  @Field(() => MonitoringSeverity, { defaultValue: MonitoringSeverity.NORMAL })
  severity: MonitoringSeverity = MonitoringSeverity.NORMAL;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'At most MONITORING_MAX_PAYLOAD_BYTES (16 KB) as JSON.' })
  payload?: Record<string, unknown> | null;

  @Field({ defaultValue: false })
  isAnomaly: boolean = false;

  @Field(() => Float, { nullable: true, description: 'Between 0 and 1.' })
  anomalyScore?: number | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field({ description: 'When the client saw it; at most MONITORING_MAX_CLOCK_SKEW_SECONDS (5 min) ahead of the server.' })
  clientTimestamp!: Date;
}

/*
 * What GraphQL's types leave open about an event (its enum, booleans, dates and JSON are
 * already checked by coercion). A batch of 1,000 is checked in one pass: class-validator's
 * per-object metadata lookups cost more than storing the events.
 */
const SCORE_RULE = 'anomalyScore must be between 0 and 1';
const eventRules = z.object({
  eventId: z.string().min(1, 'eventId must be 1-64 characters').max(64, 'eventId must be 1-64 characters'),
  eventType: z.string().regex(EVENT_TYPE, EVENT_TYPE_RULE),
  anomalyScore: z.number().min(0, SCORE_RULE).max(1, SCORE_RULE).nullish(),
  description: z.string().max(2000, 'description must be at most 2000 characters').nullish(),
});
const batchRules = z.array(eventRules);

@InputType()
export class MonitoringFilter {
  @Field(() => [String], { nullable: true })
  @IsOptional()
  @Matches(EVENT_TYPE, { each: true, message: EVENT_TYPE_RULE })
  types?: string[] | null;

  @Field(() => [MonitoringSeverity], { nullable: true })
  @IsOptional()
  severities?: MonitoringSeverity[] | null;

  @Field({ nullable: true, description: 'Only events marked as anomalies.' })
  @IsOptional()
  anomaliesOnly?: boolean;

  @Field({ nullable: true, description: 'clientTimestamp at or after this.' })
  @IsOptional()
  from?: Date;

  @Field({ nullable: true, description: 'clientTimestamp before this.' })
  @IsOptional()
  to?: Date;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Events whose payload contains this JSON (jsonb @>).' })
  @IsOptional()
  payloadContains?: Record<string, unknown>;
}

/**
 * The first problem of a batch, naming the event's index and field ("events[3].eventType:
 * …"), or null. Checked here rather than by type-graphql so the index is in the message.
 */
export function batchProblem(events: MonitoringEventInput[]): string | null {
  const checked = batchRules.safeParse(events);
  if (checked.success) return null;
  const [issue] = checked.error.issues;
  const [index, field] = issue.path;
  return `events[${String(index)}].${String(field)}: ${issue.message}`;
}

@InputType({ description: 'Which proctoring events monitoringStats groups, within those the caller may see.' })
export class MonitoringStatsFilter {
  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID('all', { message: 'examId must be a UUID' })
  examId?: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID('all', { message: 'attemptId must be a UUID' })
  attemptId?: string;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(100)
  @Matches(EVENT_TYPE, { each: true, message: EVENT_TYPE_RULE })
  types?: string[];

  @Field(() => [MonitoringSeverity], { nullable: true })
  @IsOptional()
  severities?: MonitoringSeverity[];

  @Field({ nullable: true, description: 'clientTimestamp at or after this.' })
  @IsOptional()
  from?: Date;

  @Field({ nullable: true, description: 'clientTimestamp before this.' })
  @IsOptional()
  to?: Date;
}
