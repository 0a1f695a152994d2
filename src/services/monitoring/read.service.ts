import type { EntityManager } from '@mikro-orm/postgresql';
import { seesEveryone, type Viewer } from '../../auth/viewer';
import type { MonitoringEventRow } from '../../entities/monitoring-event.entity';
import { MonitoringSeverity } from '../../entities/monitoring-enums';
import { Role } from '../../entities/role';
import { badInput, notFound } from '../../errors';
import type { Page } from '../../types/connection';
import type { AttemptUpdate, MonitoringSummary } from '../../types/monitoring.types';
import type { AttemptStatus } from '../../entities/exam-enums';
import { existingId } from '../exams/ids';
import { pageSize, toPage, type PageArgs } from '../pagination';
import { attemptAccess, type AttemptAccess } from './attempt-access';

export interface EventFilter {
  types?: string[] | null;
  severities?: MonitoringSeverity[] | null;
  anomaliesOnly?: boolean;
  from?: Date;
  to?: Date;
  payloadContains?: Record<string, unknown>;
}

/** Cursors carry the timestamp in microseconds, so a page boundary never splits or repeats a row. */
const encode = (row: { micros: string; id: string }) => Buffer.from(JSON.stringify([row.micros, row.id])).toString('base64url');

function decode(cursor: string): [string, string] {
  try {
    const [micros, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof micros === 'string' && /^-?\d{1,17}$/.test(micros) && typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id)) return [micros, id];
  } catch {
    // Falls through to the refusal below.
  }
  throw badInput('after is not a cursor returned by this connection');
}

const EVENT_COLUMNS = `m.id, m.attempt_id as "attemptId", m.event_id as "eventId", m.event_type as "eventType", m.severity,
  m.payload, m.is_anomaly as "isAnomaly", m.anomaly_score as "anomalyScore", m.description,
  m.client_timestamp as "clientTimestamp", m.server_timestamp as "serverTimestamp",
  ((extract(epoch from m.client_timestamp) * 1000000)::bigint)::text as micros`;

/** The filter as SQL over `m`, starting with the attempt and its partition. */
function eventConditions(attempt: AttemptAccess, filter: EventFilter): { sql: string; params: unknown[] } {
  const parts: [string, ...unknown[]][] = [
    ['m.attempt_id = ?', attempt.id],
    ['m.attempt_started_at = ?', attempt.started_at],
  ];
  if (filter.types?.length) parts.push(['m.event_type in (select json_array_elements_text(?::json))', JSON.stringify(filter.types)]);
  if (filter.severities?.length) parts.push(['m.severity in (select json_array_elements_text(?::json))', JSON.stringify(filter.severities)]);
  if (filter.anomaliesOnly) parts.push(['m.is_anomaly']);
  if (filter.from) parts.push(['m.client_timestamp >= ?', filter.from]);
  if (filter.to) parts.push(['m.client_timestamp < ?', filter.to]);
  if (filter.payloadContains) parts.push(['m.payload @> ?::jsonb', JSON.stringify(filter.payloadContains)]);
  return { sql: parts.map(([sql]) => sql).join(' and '), params: parts.flatMap(([, ...values]) => values) };
}

/** Reads of an attempt's events, scoped like the attempt's exam; every read names the attempt's partition. */
export class MonitoringReadService {
  /**
   * The attempt, if the viewer may read its monitoring: staff who may view its exam, and (for
   * counts only, `ownToo`) its student. Anyone else gets NOT_FOUND, as for no attempt at all.
   */
  async readableAttempt(em: EntityManager, viewer: Viewer, attemptId: string, ownToo: boolean): Promise<AttemptAccess> {
    existingId(attemptId, 'Attempt');
    const attempt = await attemptAccess(em, viewer, attemptId);
    const staff = seesEveryone(viewer) || (viewer.user.role === Role.TEACHER && attempt?.visible);
    const own = ownToo && attempt?.student_id === viewer.user.id;
    if (!attempt || !(staff || own)) throw notFound('Attempt');
    return attempt;
  }

  async timeline(em: EntityManager, viewer: Viewer, attemptId: string, filter: EventFilter, args: PageArgs): Promise<Page<MonitoringEventRow>> {
    const first = pageSize(args);
    const attempt = await this.readableAttempt(em, viewer, attemptId, false);
    const { sql, params } = eventConditions(attempt, filter);
    const after = args.after ? decode(args.after) : null;
    const rows = await em.execute<(MonitoringEventRow & { micros: string })[]>(
      `select ${EVENT_COLUMNS} from monitoring_events m where ${sql}
         ${after ? `and (m.client_timestamp, m.id) > (timestamptz 'epoch' + ?::bigint * interval '1 microsecond', ?::uuid)` : ''}
        order by m.client_timestamp, m.id limit ?`,
      [...params, ...(after ?? []), first + 1],
    );
    const count = async () => {
      const [row] = await em.execute<{ n: string }[]>(`select count(*) as n from monitoring_events m where ${sql}`, params);
      return Number(row.n);
    };
    // The driver hands timestamps over as text.
    const nodes = rows.map((r) => ({
      ...r,
      examId: attempt.exam_id,
      clientTimestamp: new Date(r.clientTimestamp),
      serverTimestamp: new Date(r.serverTimestamp),
    }));
    return toPage(nodes, first, args.after != null, encode, count);
  }

  /** Counts by severity and type, anomalies, first and last event: one statement. */
  async summary(em: EntityManager, viewer: Viewer, attemptId: string): Promise<MonitoringSummary> {
    const attempt = await this.readableAttempt(em, viewer, attemptId, true);
    const [row] = await em.execute<
      { total: string; anomalies: string; first: Date | null; last: Date | null; by_severity: Record<string, number> | null; by_type: { eventType: string; count: number }[] | null }[]
    >(
      `with events as (select severity, event_type, is_anomaly, client_timestamp from monitoring_events
                        where attempt_id = ? and attempt_started_at = ?)
       select (select count(*) from events) as total,
              (select count(*) from events where is_anomaly) as anomalies,
              (select min(client_timestamp) from events) as first,
              (select max(client_timestamp) from events) as last,
              (select json_object_agg(severity, n) from (select severity, count(*) as n from events group by severity) s) as by_severity,
              (select json_agg(json_build_object('eventType', event_type, 'count', n) order by n desc, event_type)
                 from (select event_type, count(*) as n from events group by event_type) t) as by_type`,
      [attempt.id, attempt.started_at],
    );
    return {
      attemptId: attempt.id,
      studentId: attempt.student_id,
      examId: attempt.exam_id,
      totalEvents: Number(row.total),
      anomalyCount: Number(row.anomalies),
      bySeverity: Object.values(MonitoringSeverity).map((severity) => ({ severity, count: Number(row.by_severity?.[severity] ?? 0) })),
      byType: row.by_type ?? [],
      firstEventAt: row.first ? new Date(row.first) : null,
      lastEventAt: row.last ? new Date(row.last) : null,
    };
  }
  /** An attempt's live state in one statement, whoever asks: the caller checks who may see it. */
  async liveState(em: EntityManager, attemptId: string): Promise<AttemptUpdate | null> {
    const [row] = await em.execute<
      { id: string; student_id: string; exam_id: string; status: AttemptStatus; flagged: boolean; flag_severity: MonitoringSeverity | null;
        by_severity: Record<string, number> | null; latest: MonitoringSeverity | null; last_at: Date | null; analysed: boolean }[]
    >(
      `select a.id, a.student_id, a.exam_id, a.status, a.flagged, a.flag_severity,
              (select json_object_agg(severity, n) from (select severity, count(*) as n from monitoring_events
                 where attempt_id = a.id and attempt_started_at = a.started_at group by severity) s) as by_severity,
              latest.severity as latest, latest.client_timestamp as last_at,
              exists (select 1 from behavior_analyses b where b.attempt_id = a.id) as analysed
         from exam_attempts a
         left join lateral (select severity, client_timestamp from monitoring_events
                             where attempt_id = a.id and attempt_started_at = a.started_at
                             order by client_timestamp desc, server_timestamp desc limit 1) latest on true
        where a.id = ?`,
      [attemptId],
    );
    if (!row) return null;
    const bySeverity = Object.values(MonitoringSeverity).map((severity) => ({ severity, count: Number(row.by_severity?.[severity] ?? 0) }));
    return {
      attemptId: row.id,
      studentId: row.student_id,
      examId: row.exam_id,
      status: row.status,
      totalEvents: bySeverity.reduce((sum, s) => sum + s.count, 0),
      bySeverity,
      latestSeverity: row.latest,
      lastEventAt: row.last_at ? new Date(row.last_at) : null,
      flagged: row.flagged,
      flagSeverity: row.flag_severity,
      analysisArrived: row.analysed,
    };
  }
}
