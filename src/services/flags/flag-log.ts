import type { EntityManager } from '@mikro-orm/postgresql';
import type { FlagReason, FlagSeverity } from '../../entities/monitoring-enums';

export interface Flag {
  attemptId: string;
  reason: FlagReason;
  severity: FlagSeverity;
  details: Record<string, unknown>;
}

/**
 * Common table expressions that flag an attempt (never lowering its severity) and its
 * student's profile and append one row to the flag log, for the flag in `source`: a CTE
 * (or table) of at most one row `(attempt_id, reason, severity, details)`. The last one,
 * `flag_event`, returns the new `seq`. Used inside the caller's statement, so nothing is
 * visible before it commits; the log's head row stays locked until that commit, so seqs are
 * gap-free and commit in order and "everything after seq N" never skips a later commit.
 */
export const flagCtes = (source: string) => `
  flag_attempt as (
    update exam_attempts a set flagged = true, updated_at = greatest(a.updated_at, now()),
           flag_severity = case when a.flag_severity = 'CRITICAL' then 'CRITICAL' else f.severity end
      from ${source} f where a.id = f.attempt_id
    returning a.id, a.student_id, a.exam_id),
  flag_profile as (
    update student_profiles set flagged_for_review = true, updated_at = greatest(updated_at, now())
     where user_id = (select student_id from flag_attempt) returning id),
  flag_head as (update student_flag_log_head set seq = seq + 1 where exists (select 1 from flag_attempt) returning seq),
  flag_event as (
    insert into student_flag_events (seq, student_id, attempt_id, exam_id, reason, severity, details)
    select flag_head.seq, fa.student_id, fa.id, fa.exam_id, f.reason, f.severity, f.details
      from flag_head, flag_attempt fa join ${source} f on f.attempt_id = fa.id left join flag_profile on true
    returning seq)`;

/** Appends `flag` in one statement inside the caller's transaction; returns the new seq. */
export async function appendFlag(tx: EntityManager, flag: Flag): Promise<number> {
  const [row] = await tx.execute<{ seq: string }[]>(
    `with flag as (select ?::uuid as attempt_id, ?::text as reason, ?::text as severity, ?::jsonb as details),
     ${flagCtes('flag')}
     select seq from flag_event`,
    [flag.attemptId, flag.reason, flag.severity, JSON.stringify(flag.details)],
  );
  return Number(row.seq);
}
