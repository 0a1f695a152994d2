import type { EntityManager } from '@mikro-orm/postgresql';
import { uuidArray } from '../../db/pg-array';

/**
 * Rewrites the denormalised exam figures (performance_metrics and the cumulative columns
 * of student_profiles) of the given students from their completed attempts.
 *
 * Recomputing from the attempts instead of adding increments means the figures cannot
 * drift: whatever the order of concurrent submissions, the last one to commit sees every
 * attempt committed before it. Callers hold the student's profile row lock (submitAttempt)
 * or write in bulk inside one transaction (seed, bench), so two recomputations of one
 * student never interleave. One statement, whatever the number of students.
 */
export async function refreshStudentAggregates(em: EntityManager, studentIds: string[]): Promise<void> {
  if (studentIds.length === 0) return;
  await em.execute(
    `with done as (
       select a.student_id, a.percentage, a.passed, a.integrity_score, a.lmi, a.dropout_label, a.flagged,
              a.completed_at, e.subject,
              row_number() over (partition by a.student_id order by a.completed_at desc, a.id desc) as recency
         from exam_attempts a join exams e on e.id = a.exam_id
        where a.status = 'COMPLETED' and a.student_id = any (?::uuid[])
     ), subjects as (
       select student_id,
              jsonb_object_agg(subject, jsonb_build_object('attempts', n, 'averagePercentage', avg_pct)) as scores,
              coalesce(array_agg(subject order by subject) filter (where avg_pct >= 75), '{}') as strengths,
              coalesce(array_agg(subject order by subject) filter (where avg_pct < 50), '{}') as weaknesses
         from (select student_id, subject, count(*) as n, round(avg(percentage), 2) as avg_pct
                 from done group by student_id, subject) s
        group by student_id
     ), totals as (
       select student_id, count(*) as total, count(*) filter (where passed) as passed,
              round(avg(percentage), 2) as average_score,
              round(avg(integrity_score), 4) as average_integrity,
              round(avg(lmi), 4) as average_lmi,
              round(max(integrity_score) filter (where recency = 1) - avg(integrity_score) filter (where recency > 1), 4) as integrity_trend,
              round(max(lmi) filter (where recency = 1) - avg(lmi) filter (where recency > 1), 4) as lmi_trend,
              max(dropout_label) filter (where recency = 1) as risk,
              bool_or(flagged) filter (where recency = 1) as latest_flagged,
              bool_or(flagged) as any_flagged,
              max(completed_at) as last_attempt_at
         from done group by student_id
     ), everyone as (
       select s.id as student_id, t.total, t.passed, t.average_score, t.average_integrity, t.average_lmi,
              t.integrity_trend, t.lmi_trend, t.risk, t.latest_flagged, t.any_flagged, t.last_attempt_at,
              g.scores, g.strengths, g.weaknesses
         from unnest (?::uuid[]) as s (id)
         left join totals t on t.student_id = s.id
         left join subjects g on g.student_id = s.id
     ), profiles as (
       update student_profiles p
          set cumulative_integrity = x.average_integrity, cumulative_lmi = x.average_lmi,
              attempts_completed = coalesce(x.total, 0), attempts_passed = coalesce(x.passed, 0),
              current_dropout_risk = x.risk, flagged_for_review = coalesce(x.any_flagged, false),
              updated_at = greatest(now(), p.created_at)
         from everyone x where p.user_id = x.student_id
     )
     insert into performance_metrics (id, student_id, total_attempts, passed_attempts, average_score, subject_scores,
            strengths, weaknesses, average_integrity, integrity_trend, average_lmi, lmi_trend, current_risk_label,
            flagged_for_intervention, last_attempt_at, created_at, updated_at)
     select gen_random_uuid(), student_id, coalesce(total, 0), coalesce(passed, 0), average_score, coalesce(scores, '{}'),
            coalesce(strengths, '{}'), coalesce(weaknesses, '{}'), average_integrity, integrity_trend, average_lmi, lmi_trend,
            risk, coalesce(risk = 'HIGH_RISK' or latest_flagged, false), last_attempt_at, now(), now()
       from everyone
     on conflict (student_id) do update set
            total_attempts = excluded.total_attempts, passed_attempts = excluded.passed_attempts,
            average_score = excluded.average_score, subject_scores = excluded.subject_scores,
            strengths = excluded.strengths, weaknesses = excluded.weaknesses,
            average_integrity = excluded.average_integrity, integrity_trend = excluded.integrity_trend,
            average_lmi = excluded.average_lmi, lmi_trend = excluded.lmi_trend,
            current_risk_label = excluded.current_risk_label,
            flagged_for_intervention = excluded.flagged_for_intervention,
            last_attempt_at = excluded.last_attempt_at,
            updated_at = greatest(now(), performance_metrics.created_at)`,
    [uuidArray(studentIds), uuidArray(studentIds)],
  );
}
