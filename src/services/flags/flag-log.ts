import type { EntityManager } from '@mikro-orm/postgresql';
import { FLAG_SEVERITIES, type FlagReason, type FlagSeverity } from '../../entities/monitoring-enums';

export interface Flag {
  attemptId: string;
  reason: FlagReason;
  severity: FlagSeverity;
  details: Record<string, unknown>;
}

/** Whether `severity` is higher than what the attempt is already flagged with (null: not flagged). */
export const raises = (severity: FlagSeverity, current: FlagSeverity | null) =>
  current === null || FLAG_SEVERITIES.indexOf(severity) > FLAG_SEVERITIES.indexOf(current);

/**
 * Flags the attempt (never lowering its severity) and its student's profile and appends one row to the flag log, in one
 * statement inside the caller's transaction (so nothing is visible before it commits). The
 * log's head row stays locked until that commit: seqs are gap-free and commit in order, so
 * "everything after seq N" never skips a row that commits later. Returns the new seq.
 */
export async function appendFlag(tx: EntityManager, flag: Flag): Promise<number> {
  const [row] = await tx.execute<{ seq: string }[]>(
    `with attempt as (
       update exam_attempts set flagged = true, updated_at = greatest(updated_at, now()),
              flag_severity = case when flag_severity = 'CRITICAL' then 'CRITICAL' else ? end
        where id = ?
       returning id, student_id, exam_id),
     profile as (
       update student_profiles set flagged_for_review = true, updated_at = greatest(updated_at, now())
        where user_id = (select student_id from attempt) returning id),
     head as (update student_flag_log_head set seq = seq + 1 where exists (select 1 from attempt) returning seq)
     insert into student_flag_events (seq, student_id, attempt_id, exam_id, reason, severity, details)
     select head.seq, attempt.student_id, attempt.id, attempt.exam_id, ?, ?, ?::jsonb
       from head, attempt left join profile on true
     returning seq`,
    [flag.severity, flag.attemptId, flag.reason, flag.severity, JSON.stringify(flag.details)],
  );
  return Number(row.seq);
}
