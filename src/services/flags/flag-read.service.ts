import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import { FlagReason, MonitoringSeverity } from '../../entities/monitoring-enums';
import { examVisibleSql } from '../../permissions/exam.scope';
import type { Page } from '../../types/connection';
import type { FlagAlert, FlaggedStudent } from '../../types/flag.types';
import { decodeSeqCursor, encodeSeqCursor, pageSize, toPage, type PageArgs } from '../pagination';

export interface FlaggedStudentQuery {
  examId?: string;
  cohort?: string;
  minSeverity?: MonitoringSeverity;
}

const encode = (row: { seq: number } | { lastSeq: number }) => encodeSeqCursor('seq' in row ? row.seq : row.lastSeq);

/** Reads of the flag log, scoped to the exams the viewer may view (one predicate with exams and attempts). */
export class FlagReadService {
  /** Flags newest first, one page per statement. */
  async alerts(em: EntityManager, viewer: Viewer, args: PageArgs): Promise<Page<FlagAlert>> {
    const first = pageSize(args);
    const after = decodeSeqCursor(args.after);
    const visible = examVisibleSql(viewer, 'e');
    const where = `${visible.sql}${after ? ' and f.seq < ?' : ''}`;
    const params = [...visible.params, ...(after ? [after] : [])];
    const rows = await em.execute<{ seq: string; reason: FlagReason; severity: MonitoringSeverity; details: Record<string, unknown>; created_at: string; attempt_id: string; student_id: string; exam_id: string }[]>(
      `select f.seq, f.reason, f.severity, f.details, f.created_at, f.attempt_id, f.student_id, f.exam_id
         from student_flag_events f join exams e on e.id = f.exam_id
        where ${where} order by f.seq desc limit ?`,
      [...params, first + 1],
    );
    const alerts = rows.map((r) => ({
      seq: Number(r.seq),
      reason: r.reason,
      severity: r.severity,
      details: r.details,
      at: new Date(r.created_at),
      attemptId: r.attempt_id,
      studentId: r.student_id,
      examId: r.exam_id,
    }));
    const count = async () => {
      const [row] = await em.execute<{ n: string }[]>(
        `select count(*) as n from student_flag_events f join exams e on e.id = f.exam_id where ${visible.sql}`,
        visible.params,
      );
      return Number(row.n);
    };
    return toPage(alerts, first, after !== null, encode, count);
  }

  /** Students flagged for review now, by their latest flag in the viewer's exams, newest first. */
  async flaggedStudents(em: EntityManager, viewer: Viewer, filter: FlaggedStudentQuery, args: PageArgs): Promise<Page<FlaggedStudent>> {
    const first = pageSize(args);
    const after = decodeSeqCursor(args.after);
    const visible = examVisibleSql(viewer, 'e');
    const conditions = [visible.sql, 'sp.flagged_for_review'];
    const params: unknown[] = [...visible.params];
    if (filter.examId) {
      conditions.push('f.exam_id = ?');
      params.push(filter.examId);
    }
    if (filter.cohort) {
      conditions.push('sp.cohort = ?');
      params.push(filter.cohort);
    }
    const minRank = filter.minSeverity === MonitoringSeverity.CRITICAL ? 2 : 1;
    const grouped = `select f.student_id, sp.cohort, max(f.seq) as last_seq, max(f.created_at) as last_at,
                            count(*) as flags, count(distinct f.attempt_id) as attempts,
                            max(case f.severity when 'CRITICAL' then 2 else 1 end) as rank,
                            array_agg(distinct f.exam_id::text) as exam_ids
                       from student_flag_events f join exams e on e.id = f.exam_id
                       join student_profiles sp on sp.user_id = f.student_id
                      where ${conditions.join(' and ')}
                      group by f.student_id, sp.cohort
                     having max(case f.severity when 'CRITICAL' then 2 else 1 end) >= ${minRank}`;
    const rows = await em.execute<{ student_id: string; cohort: string; last_seq: string; last_at: string; flags: string; attempts: string; rank: number; exam_ids: string[] }[]>(
      `select * from (${grouped}) s ${after ? 'where s.last_seq < ?' : ''} order by s.last_seq desc limit ?`,
      [...params, ...(after ? [after] : []), first + 1],
    );
    const students = rows.map((r) => ({
      id: r.student_id,
      cohort: r.cohort,
      highestSeverity: r.rank === 2 ? MonitoringSeverity.CRITICAL : MonitoringSeverity.WARNING,
      flaggedAttempts: Number(r.attempts),
      flags: Number(r.flags),
      lastFlaggedAt: new Date(r.last_at),
      lastSeq: Number(r.last_seq),
      examIds: r.exam_ids,
    }));
    const count = async () => {
      const [row] = await em.execute<{ n: string }[]>(`select count(*) as n from (${grouped}) s`, params);
      return Number(row.n);
    };
    return toPage(students, first, after !== null, encode, count);
  }
}
