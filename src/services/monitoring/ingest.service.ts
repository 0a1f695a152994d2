import type { EntityManager } from '@mikro-orm/postgresql';
import { executePrepared } from '../../db/prepared-query';
import { hasRole, seesEveryone, type Viewer } from '../../auth/viewer';
import { AttemptStatus } from '../../entities/exam-enums';
import { FLAG_SEVERITIES, type MonitoringSeverity } from '../../entities/monitoring-enums';
import { Role } from '../../entities/role';
import { badInput, forbidden, notFound } from '../../errors';
import { existingId } from '../exams/ids';
import { examVisibleSql } from '../../permissions/exam.scope';
import type { LiveAnnouncer } from '../flags/flag-feed';
import { flagCtes } from '../flags/flag-log';
import type { MonitoringLimits } from './limits';
import { ensureMonitoringPartitions, isMissingPartition } from './partitions';
import { monitoringEventsIngested, monitoringIngestDuration } from '../../metrics/metrics';

/** An event as the client sent it, already checked field by field at the edge. */
export interface IncomingEvent {
  eventId: string;
  eventType: string;
  severity: MonitoringSeverity;
  payload?: Record<string, unknown> | null;
  isAnomaly: boolean;
  anomalyScore?: number | null;
  description?: string | null;
  clientTimestamp: Date;
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
  /** 1 when this batch flagged the attempt (or raised its flag), else 0. */
  flagged: number;
}

/** The attempt as the ingestion statement found it, whether it wrote, and what it stored. */
interface IngestRow {
  id: string;
  student_id: string;
  status: AttemptStatus;
  started_at: string;
  /** The attempt is the caller's own, or its exam is one the caller may view (worked out only when not their own). */
  visible: boolean;
  wrote: boolean;
  accepted: string;
  flag_seq: string | null;
}

/*
 * One statement, committed on its own: it locks the attempt row (batches of one attempt
 * take turns, so flags stay consistent), decides whether this caller may write its events
 * now, inserts the whole batch from json_to_recordset (a retried event id is skipped by the
 * primary key), and, when the new events call for it, flags the attempt and the profile and
 * appends to the flag log (flagCtes). The decision is made here, in SQL; refusal() only
 * explains a refusal from the row it returns.
 */
const INGEST = `
  with attempt as (
    select a.id, a.student_id, a.exam_id, a.status, a.started_at, a.flag_severity, (a.student_id = ? or {{visible}}) as visible
      from exam_attempts a join exams e on e.id = a.exam_id
     where a.id = ? for update of a),
  incoming as (
    select * from json_to_recordset(?::json) as e(event_id text, event_type text, severity text, payload jsonb,
             is_anomaly boolean, anomaly_score real, description text, client_timestamp timestamptz)),
  writable as (
    select a.*, (a.student_id = ? or (?::boolean and (?::boolean or a.visible)))
                and a.status = 'IN_PROGRESS'
                and (select min(client_timestamp) from incoming) >= a.started_at - ?::int * interval '1 second' as wrote
      from attempt a),
  inserted as (
    insert into monitoring_events (attempt_id, attempt_started_at, student_id, event_id, event_type, severity,
                                   payload, is_anomaly, anomaly_score, description, client_timestamp)
    select w.id, w.started_at, w.student_id, i.event_id, i.event_type, i.severity, coalesce(i.payload, '{}'),
           i.is_anomaly, i.anomaly_score, i.description, i.client_timestamp
      from incoming i, writable w where w.wrote
    on conflict do nothing
    returning severity, is_anomaly),
  counts as (
    select count(*) as accepted, count(*) filter (where severity = 'CRITICAL') as critical,
           count(*) filter (where is_anomaly) as anomalies
      from inserted),
  flag as (
    select w.id as attempt_id, x.reason, x.severity,
           jsonb_build_object('criticalEvents', c.critical, 'anomalies', c.anomalies) as details
      from writable w, counts c,
           lateral (select case when c.critical > 0 then 'CRITICAL_EVENT' else 'ANOMALIES' end as reason,
                           case when c.critical > 0 then 'CRITICAL' else 'WARNING' end as severity) x
     where (c.critical > 0 or c.anomalies > ?::int)
       and array_position(?::text[], x.severity) > coalesce(array_position(?::text[], w.flag_severity), 0)),
  ${flagCtes('flag')}
  select w.id, w.student_id, w.status, w.started_at, w.visible, w.wrote, c.accepted,
         (select seq from flag_event) as flag_seq
    from writable w, counts c`;

/**
 * Stores a batch of proctoring events in one statement, whatever its size. A flag is
 * raised for a critical event (CRITICAL) or for more new anomalies than the threshold
 * (WARNING), only when it raises the attempt's current flag.
 */
export class MonitoringIngestService {
  constructor(
    private readonly limits: MonitoringLimits,
    private readonly live: LiveAnnouncer,
  ) {}

  async record(em: EntityManager, viewer: Viewer, attemptId: string, events: IncomingEvent[]): Promise<IngestResult> {
    existingId(attemptId, 'Attempt');
    const records = this.checkedRecords(events);
    const stopTimer = monitoringIngestDuration.startTimer();
    const result = await this.writeIntoPartition(em, viewer, attemptId, events, records);
    stopTimer();
    monitoringEventsIngested.inc(result.accepted);
    return result;
  }

  private async writeIntoPartition(em: EntityManager, viewer: Viewer, attemptId: string, events: IncomingEvent[], records: string): Promise<IngestResult> {
    try {
      return await this.write(em, viewer, attemptId, events, records);
    } catch (error) {
      if (!isMissingPartition(error)) throw error;
      // The attempt started in a month whose partition does not exist yet (or any more).
      const [attempt] = await em.execute<{ started_at: Date }[]>(`select started_at from exam_attempts where id = ?`, [attemptId]);
      await ensureMonitoringPartitions(em.fork(), new Date(attempt.started_at), new Date(attempt.started_at));
      return this.write(em, viewer, attemptId, events, records);
    }
  }

  /**
   * Checks the batch against the limits and returns it as the JSON array the statement
   * reads: each payload is serialized once, both to measure it and to send it.
   */
  private checkedRecords(events: IncomingEvent[]): string {
    if (events.length === 0) throw badInput('events must hold at least one event');
    if (events.length > this.limits.maxBatch) throw badInput(`events holds ${events.length} events; at most ${this.limits.maxBatch} a call`);
    const latest = Date.now() + this.limits.maxClockSkewSeconds * 1000;
    const records = events.map((event, index) => {
      const payload = JSON.stringify(event.payload ?? {});
      const bytes = Buffer.byteLength(payload);
      if (bytes > this.limits.maxPayloadBytes) {
        throw badInput(`events[${index}].payload: ${bytes} bytes as JSON; at most ${this.limits.maxPayloadBytes} (MONITORING_MAX_PAYLOAD_BYTES)`);
      }
      if (event.clientTimestamp.getTime() > latest) {
        throw badInput(`events[${index}].clientTimestamp: more than ${this.limits.maxClockSkewSeconds} s ahead of the server's clock`);
      }
      return recordOf(event, payload);
    });
    return `[${records.join(',')}]`;
  }

  private async write(em: EntityManager, viewer: Viewer, attemptId: string, events: IncomingEvent[], records: string): Promise<IngestResult> {
    const visible = examVisibleSql(viewer, 'e');
    const [row] = await executePrepared<IngestRow>(em, INGEST.replace('{{visible}}', visible.sql), [
      viewer.user.id,
      ...visible.params,
      attemptId,
      records,
      viewer.user.id,
      isStaffKey(viewer),
      seesEveryone(viewer),
      this.limits.maxClockSkewSeconds,
      this.limits.anomalyFlagThreshold,
      FLAG_SEVERITIES,
      FLAG_SEVERITIES,
    ]);
    if (!row?.wrote) throw this.refusal(viewer, row, events);
    const accepted = Number(row.accepted);
    const flagged = row.flag_seq === null ? 0 : 1;
    if (accepted > 0) this.live.announceAttempt(attemptId);
    if (flagged) this.live.announceFlag();
    return { accepted, duplicates: events.length - accepted, flagged };
  }

  /**
   * Why the statement wrote nothing. Events come from the attempt's own student while it is
   * in progress, or from a staff account's API key (events:write) that may view its exam;
   * anyone else learns nothing: NOT_FOUND, as for an attempt that does not exist.
   */
  private refusal(viewer: Viewer, row: IngestRow | undefined, events: IncomingEvent[]): Error {
    const own = row?.student_id === viewer.user.id;
    if (!row || (!own && (viewer.user.role === Role.STUDENT || !(seesEveryone(viewer) || row.visible)))) return notFound('Attempt');
    if (!own && !isStaffKey(viewer)) {
      return forbidden("Events come from the attempt's student, or from a staff account's API key with the events:write scope");
    }
    if (row.status !== AttemptStatus.IN_PROGRESS) {
      return badInput(`The attempt is ${row.status}; events are accepted only while it is IN_PROGRESS`);
    }
    const earliest = new Date(row.started_at).getTime() - this.limits.maxClockSkewSeconds * 1000;
    const early = events.findIndex((e) => e.clientTimestamp.getTime() < earliest);
    return early >= 0 ? badInput(`events[${early}].clientTimestamp: before the attempt started`) : new Error('Events refused without a reason');
  }
}

const isStaffKey = (viewer: Viewer) => viewer.via === 'apiKey' && hasRole(viewer, Role.TEACHER, Role.ADMIN);

/** One event as a row of json_to_recordset, around its payload's JSON text. */
const recordOf = (e: IncomingEvent, payload: string) =>
  `${JSON.stringify({
    event_id: e.eventId,
    event_type: e.eventType,
    severity: e.severity,
    is_anomaly: e.isAnomaly,
    anomaly_score: e.anomalyScore ?? null,
    description: e.description ?? null,
    client_timestamp: e.clientTimestamp.toISOString(),
  }).slice(0, -1)},"payload":${payload}}`;
