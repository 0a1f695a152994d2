import type { EntityManager } from '@mikro-orm/postgresql';
import { hasRole, seesEveryone, type Viewer } from '../../auth/viewer';
import { AttemptStatus } from '../../entities/exam-enums';
import { FlagReason, MonitoringSeverity } from '../../entities/monitoring-enums';
import { Role } from '../../entities/role';
import { badInput, forbidden, notFound } from '../../errors';
import { existingId } from '../exams/ids';
import { appendFlag, raises, type Flag } from '../flags/flag-log';
import { attemptAccess, type AttemptAccess } from './attempt-access';
import type { MonitoringLimits } from './limits';
import { ensureMonitoringPartitions, isMissingPartition } from './partitions';

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

/**
 * Stores a batch of proctoring events in one transaction of a constant number of
 * statements, whatever its size: the attempt row is locked (batches of one attempt take
 * turns, so flags stay consistent), the whole batch is inserted by one INSERT … SELECT
 * from json_to_recordset, duplicates (a retried event id) are skipped by the primary key,
 * and a batch that flags the attempt updates it, the profile and the flag log in one more.
 */
export class MonitoringIngestService {
  constructor(private readonly limits: MonitoringLimits) {}

  async record(em: EntityManager, viewer: Viewer, attemptId: string, events: IncomingEvent[]): Promise<IngestResult> {
    existingId(attemptId, 'Attempt');
    this.checkBatch(events);
    try {
      return await this.write(em, viewer, attemptId, events);
    } catch (error) {
      if (!isMissingPartition(error)) throw error;
      // The attempt started in a month whose partition does not exist yet (or any more).
      const [attempt] = await em.execute<{ started_at: Date }[]>(`select started_at from exam_attempts where id = ?`, [attemptId]);
      await ensureMonitoringPartitions(em.fork(), new Date(attempt.started_at), new Date(attempt.started_at));
      return this.write(em, viewer, attemptId, events);
    }
  }

  private checkBatch(events: IncomingEvent[]): void {
    if (events.length === 0) throw badInput('events must hold at least one event');
    if (events.length > this.limits.maxBatch) throw badInput(`events holds ${events.length} events; at most ${this.limits.maxBatch} a call`);
    const latest = Date.now() + this.limits.maxClockSkewSeconds * 1000;
    events.forEach((event, index) => {
      const bytes = Buffer.byteLength(JSON.stringify(event.payload ?? {}));
      if (bytes > this.limits.maxPayloadBytes) {
        throw badInput(`events[${index}].payload: ${bytes} bytes as JSON; at most ${this.limits.maxPayloadBytes} (MONITORING_MAX_PAYLOAD_BYTES)`);
      }
      if (event.clientTimestamp.getTime() > latest) {
        throw badInput(`events[${index}].clientTimestamp: more than ${this.limits.maxClockSkewSeconds} s ahead of the server's clock`);
      }
    });
  }

  private write(em: EntityManager, viewer: Viewer, attemptId: string, events: IncomingEvent[]): Promise<IngestResult> {
    return em.transactional(async (tx) => {
      const attempt = await this.lockAttempt(tx, viewer, attemptId);
      const earliest = new Date(attempt.started_at).getTime() - this.limits.maxClockSkewSeconds * 1000;
      const early = events.findIndex((e) => e.clientTimestamp.getTime() < earliest);
      if (early >= 0) throw badInput(`events[${early}].clientTimestamp: before the attempt started`);
      const [stored] = await tx.execute<{ accepted: string; critical: string; anomalies: string }[]>(
        `with incoming as (
           select * from json_to_recordset(?::json) as e(event_id text, event_type text, severity text, payload jsonb,
                    is_anomaly boolean, anomaly_score real, description text, client_timestamp timestamptz)),
         inserted as (
           insert into monitoring_events (attempt_id, attempt_started_at, student_id, event_id, event_type, severity,
                                          payload, is_anomaly, anomaly_score, description, client_timestamp)
           select ?, ?, ?, event_id, event_type, severity, coalesce(payload, '{}'), is_anomaly, anomaly_score, description, client_timestamp
             from incoming
           on conflict do nothing
           returning severity, is_anomaly)
         select count(*) as accepted, count(*) filter (where severity = 'CRITICAL') as critical,
                count(*) filter (where is_anomaly) as anomalies
           from inserted`,
        [JSON.stringify(events.map(toRecord)), attempt.id, attempt.started_at, attempt.student_id],
      );
      const accepted = Number(stored.accepted);
      const flag = this.flagFor(attempt, Number(stored.critical), Number(stored.anomalies));
      if (flag) await appendFlag(tx, flag);
      return { accepted, duplicates: events.length - accepted, flagged: flag ? 1 : 0 };
    });
  }

  /**
   * The attempt, locked, if this caller may write its events: its own student while it is in
   * progress, or a staff account's API key (events:write) that may view its exam. Anyone
   * else learns nothing: NOT_FOUND, as for an attempt that does not exist.
   */
  private async lockAttempt(tx: EntityManager, viewer: Viewer, attemptId: string): Promise<AttemptAccess> {
    const attempt = await attemptAccess(tx, viewer, attemptId, true);
    const own = attempt?.student_id === viewer.user.id;
    if (!attempt || (!own && (viewer.user.role === Role.STUDENT || !(seesEveryone(viewer) || attempt.visible)))) throw notFound('Attempt');
    if (!own && !(viewer.via === 'apiKey' && hasRole(viewer, Role.TEACHER, Role.ADMIN))) {
      throw forbidden("Events come from the attempt's student, or from a staff account's API key with the events:write scope");
    }
    if (attempt.status !== AttemptStatus.IN_PROGRESS) {
      throw badInput(`The attempt is ${attempt.status}; events are accepted only while it is IN_PROGRESS`);
    }
    return attempt;
  }

  /** CRITICAL for a critical event, WARNING for more new anomalies than the threshold; only if it raises the attempt's flag. */
  private flagFor(attempt: AttemptAccess, critical: number, anomalies: number): Flag | null {
    const severity = critical > 0 ? MonitoringSeverity.CRITICAL : anomalies > this.limits.anomalyFlagThreshold ? MonitoringSeverity.WARNING : null;
    if (!severity || !raises(severity, attempt.flag_severity)) return null;
    return {
      attemptId: attempt.id,
      reason: critical > 0 ? FlagReason.CRITICAL_EVENT : FlagReason.ANOMALIES,
      severity,
      details: { criticalEvents: critical, anomalies },
    };
  }
}

const toRecord = (e: IncomingEvent) => ({
  event_id: e.eventId,
  event_type: e.eventType,
  severity: e.severity,
  payload: e.payload ?? {},
  is_anomaly: e.isAnomaly,
  anomaly_score: e.anomalyScore ?? null,
  description: e.description ?? null,
  client_timestamp: e.clientTimestamp.toISOString(),
});
