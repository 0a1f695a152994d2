import { IsBoolean, IsDate, IsEnum, IsNumber, IsOptional, Length, Matches, Max, MaxLength, Min, validateSync } from 'class-validator';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, InputType } from 'type-graphql';
import { MonitoringSeverity } from '../../entities/monitoring-enums';

export const EVENT_TYPE = /^[a-z][a-z0-9_]{0,63}$/;
const EVENT_TYPE_RULE = 'eventType must be a lowercase identifier: a letter, then up to 63 letters, digits or underscores';

@InputType({ description: 'One proctoring event; a batch is validated whole before anything is stored.' })
export class MonitoringEventInput {
  @Field({ description: 'Chosen by the client (1-64 characters), unique within the attempt: resending it is counted as a duplicate.' })
  @Length(1, 64, { message: 'eventId must be 1-64 characters' })
  eventId!: string;

  @Field({ description: 'eye_movement, window_focus, keystroke, …: [a-z][a-z0-9_]{0,63}.' })
  @Matches(EVENT_TYPE, { message: EVENT_TYPE_RULE })
  eventType!: string;

  @Field(() => MonitoringSeverity, { defaultValue: MonitoringSeverity.NORMAL })
  @IsEnum(MonitoringSeverity)
  severity: MonitoringSeverity = MonitoringSeverity.NORMAL;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'At most MONITORING_MAX_PAYLOAD_BYTES (16 KB) as JSON.' })
  @IsOptional()
  payload?: Record<string, unknown> | null;

  @Field({ defaultValue: false })
  @IsBoolean()
  isAnomaly: boolean = false;

  @Field(() => Float, { nullable: true, description: 'Between 0 and 1.' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0, { message: 'anomalyScore must be between 0 and 1' })
  @Max(1, { message: 'anomalyScore must be between 0 and 1' })
  anomalyScore?: number | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(2000)
  description?: string | null;

  @Field({ description: 'When the client saw it; at most MONITORING_MAX_CLOCK_SKEW_SECONDS (5 min) ahead of the server.' })
  @IsDate()
  clientTimestamp!: Date;
}

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
 * …"), or null. Validated here rather than by type-graphql so the index is in the message.
 */
export function batchProblem(events: MonitoringEventInput[]): string | null {
  for (const [index, event] of events.entries()) {
    const [error] = validateSync(event, { forbidUnknownValues: false });
    if (error) return `events[${index}].${error.property}: ${Object.values(error.constraints ?? {}).join('; ')}`;
  }
  return null;
}
