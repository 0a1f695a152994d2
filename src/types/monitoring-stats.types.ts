import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { MonitoringSeverity } from '../entities/monitoring-enums';

/** What monitoringStats can group by. Time buckets are UTC starts of the event's clientTimestamp. */
export enum MonitoringDimension {
  EVENT_TYPE = 'EVENT_TYPE',
  SEVERITY = 'SEVERITY',
  EXAM = 'EXAM',
  ATTEMPT = 'ATTEMPT',
  MINUTE = 'MINUTE',
  HOUR = 'HOUR',
  DAY = 'DAY',
}

/** What monitoringStats can compute per group. */
export enum MonitoringMetric {
  COUNT = 'COUNT',
  ANOMALY_COUNT = 'ANOMALY_COUNT',
  AVG_ANOMALY_SCORE = 'AVG_ANOMALY_SCORE',
}

registerEnumType(MonitoringDimension, { name: 'MonitoringDimension', description: 'A dimension monitoringStats groups proctoring events by.' });
registerEnumType(MonitoringMetric, { name: 'MonitoringMetric', description: 'A metric monitoringStats computes per group, in PostgreSQL.' });

@ObjectType({ description: 'The group a row of monitoringStats describes: only the dimensions asked for are set, the rest are null.' })
export class MonitoringStatsKey {
  @Field(() => String, { nullable: true, description: 'EVENT_TYPE, e.g. window_focus.' })
  eventType?: string | null;

  @Field(() => MonitoringSeverity, { nullable: true })
  severity?: MonitoringSeverity | null;

  @Field(() => ID, { nullable: true, description: "The attempt's exam id (EXAM)." })
  examId?: string | null;

  @Field(() => ID, { nullable: true, description: 'The attempt id (ATTEMPT).' })
  attemptId?: string | null;

  @Field(() => Date, { nullable: true, description: 'Start of the UTC minute (MINUTE).' })
  minute?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Start of the UTC hour (HOUR).' })
  hour?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Start of the UTC day (DAY).' })
  day?: Date | null;
}

@ObjectType({ description: "One group's metrics: only those asked for are set, the rest are null (as is AVG_ANOMALY_SCORE of events with no score)." })
export class MonitoringStatsValues {
  @Field(() => Int, { nullable: true })
  count?: number | null;

  @Field(() => Int, { nullable: true, description: 'Events marked as anomalies.' })
  anomalyCount?: number | null;

  @Field(() => Float, { nullable: true, description: 'Mean anomaly score (0-1) of the events that have one.' })
  avgAnomalyScore?: number | null;
}

@ObjectType({ description: 'One group of monitoringStats.' })
export class MonitoringStatsRow {
  @Field(() => MonitoringStatsKey)
  key!: MonitoringStatsKey;

  @Field(() => MonitoringStatsValues)
  values!: MonitoringStatsValues;
}

@ObjectType({ description: 'Groups of the proctoring events the caller may see, ordered by the keys in groupBy order (nulls last).' })
export class MonitoringStats {
  @Field(() => [MonitoringStatsRow])
  rows!: MonitoringStatsRow[];

  @Field({ description: 'True when there were more groups than STATS_MAX_GROUPS: rows holds the first ones.' })
  truncated!: boolean;
}
