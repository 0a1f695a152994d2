import { Field, ID, Int, ObjectType } from 'type-graphql';
import { MonitoringEvent } from '../entities/monitoring-event.entity';
import { AttemptStatus } from '../entities/exam-enums';
import { MonitoringSeverity } from '../entities/monitoring-enums';
import { Connection } from './connection';

@ObjectType({ description: 'What a batch did: events stored, events already stored (a retry), and whether it flagged the attempt.' })
export class MonitoringIngestResult {
  @Field(() => Int)
  accepted!: number;

  @Field(() => Int, { description: 'Events whose eventId the attempt already had: not stored again.' })
  duplicates!: number;

  @Field(() => Int, { description: '1 when this batch flagged the attempt or raised its flag to CRITICAL, else 0.' })
  flagged!: number;
}

@ObjectType('MonitoringEventConnection')
export class MonitoringEventConnection extends Connection(MonitoringEvent) {}

@ObjectType()
export class SeverityCount {
  @Field(() => MonitoringSeverity)
  severity!: MonitoringSeverity;

  @Field(() => Int)
  count!: number;
}

@ObjectType()
export class EventTypeCount {
  @Field()
  eventType!: string;

  @Field(() => Int)
  count!: number;
}

@ObjectType({ description: "Counts over an attempt's proctoring events; the attempt's student sees these, never the events." })
export class MonitoringSummary {
  @Field(() => ID)
  attemptId!: string;

  /** For the row rule: whose attempt, of which exam. */
  studentId!: string;
  examId!: string;

  @Field(() => Int)
  totalEvents!: number;

  @Field(() => Int)
  anomalyCount!: number;

  @Field(() => [SeverityCount], { description: 'Every severity, zeros included.' })
  bySeverity!: SeverityCount[];

  @Field(() => [EventTypeCount], { description: 'Most frequent first.' })
  byType!: EventTypeCount[];

  @Field(() => Date, { nullable: true })
  firstEventAt!: Date | null;

  @Field(() => Date, { nullable: true })
  lastEventAt!: Date | null;
}

@ObjectType({ description: "An attempt as a teacher watching it live sees it: sent when the subscription starts, then whenever it changes." })
export class AttemptUpdate {
  @Field(() => ID)
  attemptId!: string;

  /** For the row rule: whose attempt, of which exam. */
  studentId!: string;
  examId!: string;

  @Field(() => AttemptStatus)
  status!: AttemptStatus;

  @Field(() => Int)
  totalEvents!: number;

  @Field(() => [SeverityCount], { description: 'Every severity, zeros included.' })
  bySeverity!: SeverityCount[];

  @Field(() => MonitoringSeverity, { nullable: true, description: 'The severity of the latest event (by client timestamp).' })
  latestSeverity!: MonitoringSeverity | null;

  @Field(() => Date, { nullable: true })
  lastEventAt!: Date | null;

  @Field()
  flagged!: boolean;

  @Field(() => MonitoringSeverity, { nullable: true })
  flagSeverity!: MonitoringSeverity | null;

  @Field({ description: 'Whether the behaviour analysis of the attempt has arrived.' })
  analysisArrived!: boolean;
}
