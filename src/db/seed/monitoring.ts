import type { EntityManager } from '@mikro-orm/postgresql';
import { FlagReason, MonitoringSeverity } from '../../entities/monitoring-enums';
import { refreshStudentAggregates } from '../../services/exams/aggregates';
import { appendFlag } from '../../services/flags/flag-log';
import { ensureMonitoringPartitions } from '../../services/monitoring/partitions';

/** Events per completed demo attempt: one every 120 ms for five minutes. */
export const DEMO_EVENTS_PER_ATTEMPT = 2500;

export interface MonitoringSeedSummary {
  events: number;
  analyses: number;
  flaggedAttempts: number;
}

/*
 * Proctoring timelines, analyses and flags for the demo's completed attempts, generated in
 * SQL from each attempt's id (hashtext), so the same attempts always get the same events.
 * About one attempt in eight has a critical event (and a flag); one event in 61 is an anomaly.
 */
export async function seedMonitoring(em: EntityManager, now: Date): Promise<MonitoringSeedSummary> {
  const [range] = await em.execute<{ first: string | null }[]>(`select min(started_at) as first from exam_attempts where status = 'COMPLETED'`);
  if (!range.first) return { events: 0, analyses: 0, flaggedAttempts: 0 };
  await ensureMonitoringPartitions(em, new Date(range.first), now, 1);
  const [events] = await em.execute<{ n: string }[]>(
    `with inserted as (
       insert into monitoring_events (attempt_id, attempt_started_at, student_id, event_id, event_type, severity, payload,
                                      is_anomaly, anomaly_score, description, client_timestamp, server_timestamp)
       select a.id, a.started_at, a.student_id, 'demo-' || n,
              (array['eye_movement', 'window_focus', 'keystroke', 'face_detection', 'mouse_movement'])[1 + h % 5],
              case when n = 1200 and abs(hashtext(a.id::text)) % 8 = 0 then 'CRITICAL' when h % 61 = 0 then 'WARNING' else 'NORMAL' end,
              jsonb_build_object('seq', n, 'x', h % 1920, 'y', h % 1080),
              h % 61 = 0, case when h % 61 = 0 then (0.5 + (h % 500) / 1000.0)::real end,
              case when h % 61 = 0 then 'Gaze or focus outside the usual pattern' end,
              a.started_at + n * interval '120 milliseconds', a.started_at + n * interval '120 milliseconds' + interval '40 milliseconds'
         from exam_attempts a cross join generate_series(0, ${DEMO_EVENTS_PER_ATTEMPT - 1}) n
         cross join lateral (select abs(hashtext(a.id::text || ':' || n))::bigint as h) x
        where a.status = 'COMPLETED'
       returning 1)
     select count(*) as n from inserted`,
  );
  return { events: Number(events.n), ...(await analyseAndFlag(em)) };
}

/**
 * Behaviour analyses for most completed attempts, from their stored events, and a flag
 * (through the flag log) for every attempt with a critical event. Shared with the
 * benchmark's generator, which loads its events by COPY.
 */
export async function analyseAndFlag(em: EntityManager): Promise<Omit<MonitoringSeedSummary, 'events'>> {
  const [analyses] = await em.execute<{ n: string }[]>(
    `with counts as (
       select attempt_id, count(*) as total, count(*) filter (where is_anomaly) as anomalies, count(*) filter (where severity = 'CRITICAL') as critical
         from monitoring_events group by attempt_id),
     inserted as (
       insert into behavior_analyses (id, attempt_id, student_id, total_events, anomaly_count, critical_count, integrity_score,
                                      originality_indicators, lmi_score, improvement_trend, dropout_label, dropout_confidence, llm_summary,
                                      llm_recommendations, llm_model_version, requires_instructor_attention, requires_recap, created_at, updated_at)
       select md5('demo-analysis:' || a.id)::uuid, a.id, a.student_id, c.total, c.anomalies, c.critical, coalesce(a.integrity_score, 1),
              jsonb_build_object('pasteRatio', round((abs(hashtext(a.id::text)) % 30) / 100.0, 2)), a.lmi, null, a.dropout_label,
              0.6 + (abs(hashtext(a.id::text)) % 40) / 100.0,
              case a.dropout_label when 'HIGH_RISK' then 'Struggled throughout; several long pauses and focus changes.'
                                   when 'AT_RISK' then 'Uneven pace; some questions skipped.'
                                   else 'Steady work with few distractions.' end,
              case a.dropout_label when 'SAFE' then array['Keep the current study rhythm']
                                   else array['Schedule a short recap session', 'Review the questions answered wrongly'] end,
              'assay-demo-scorer-1', a.dropout_label = 'HIGH_RISK' or c.critical > 0, a.dropout_label <> 'SAFE',
              a.completed_at + interval '10 minutes', a.completed_at + interval '10 minutes'
         from exam_attempts a join counts c on c.attempt_id = a.id
        where a.status = 'COMPLETED' and abs(hashtext(a.id::text)) % 5 <> 0
       returning 1)
     select count(*) as n from inserted`,
  );
  const critical = await em.execute<{ attempt_id: string; student_id: string }[]>(
    `select distinct attempt_id, student_id from monitoring_events where severity = 'CRITICAL' order by attempt_id`,
  );
  for (const { attempt_id } of critical) {
    await appendFlag(em, { attemptId: attempt_id, reason: FlagReason.CRITICAL_EVENT, severity: MonitoringSeverity.CRITICAL, details: { criticalEvents: 1, anomalies: 0 } });
  }
  const students = [...new Set(critical.map((c) => c.student_id))];
  for (let i = 0; i < students.length; i += 500) await refreshStudentAggregates(em, students.slice(i, i + 500));
  return { analyses: Number(analyses.n), flaggedAttempts: critical.length };
}
