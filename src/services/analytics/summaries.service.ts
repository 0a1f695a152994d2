import type { EntityManager } from '@mikro-orm/postgresql';
import { seesEveryone, type Viewer } from '../../auth/viewer';
import type { DropoutLabel } from '../../entities/exam-enums';
import { Role } from '../../entities/role';
import { badInput } from '../../errors';
import { examVisibleSql } from '../../permissions/exam.scope';
import type { ExamPerformanceReport, StudentRiskReport } from '../../types/analytics-views.types';
import { isUuid } from '../uuid';
import { lastRefresh } from './views';

export interface SummaryArgs {
  first?: number | null;
  after?: string | null;
}

export const MAX_SUMMARY_ROWS = 1000;

function window(args: SummaryArgs): { first: number; after: string | null } {
  const first = args.first ?? 100;
  if (!Number.isInteger(first) || first < 1 || first > MAX_SUMMARY_ROWS) throw badInput(`first must be between 1 and ${MAX_SUMMARY_ROWS}`);
  if (args.after != null && !isUuid(args.after)) throw badInput('after must be the id of the last row of the previous answer');
  return { first, after: args.after ?? null };
}

const num = (value: string | null) => (value === null ? null : Number(value));
const date = (value: string | null) => (value === null ? null : new Date(value));

/** Reads of the analytics views, scoped like the tables they summarise, in id order. */
export class AnalyticsSummaryService {
  async examPerformance(em: EntityManager, viewer: Viewer, args: SummaryArgs): Promise<ExamPerformanceReport> {
    const { first, after } = window(args);
    const visible = examVisibleSql(viewer, 'e');
    const rows = await em.execute<{ exam_id: string; unique_students: number; attempts: number; average_score: string | null; pass_rate: string | null; average_integrity: string | null; high_risk_count: number; last_attempt_at: string | null }[]>(
      `select s.* from exam_performance_summary s join exams e on e.id = s.exam_id
        where ${visible.sql} ${after ? 'and s.exam_id > ?' : ''} order by s.exam_id limit ?`,
      [...visible.params, ...(after ? [after] : []), first + 1],
    );
    return {
      refreshedAt: await lastRefresh(em, 'exam_performance_summary'),
      hasMore: rows.length > first,
      items: rows.slice(0, first).map((r) => ({
        examId: r.exam_id,
        uniqueStudents: r.unique_students,
        attempts: r.attempts,
        averageScore: num(r.average_score),
        passRate: num(r.pass_rate),
        averageIntegrity: num(r.average_integrity),
        highRiskCount: r.high_risk_count,
        lastAttemptAt: date(r.last_attempt_at),
      })),
    };
  }

  async studentRisk(em: EntityManager, viewer: Viewer, args: SummaryArgs): Promise<StudentRiskReport> {
    const { first, after } = window(args);
    const scope = studentScope(viewer);
    const rows = await em.execute<{ student_id: string; cohort: string; risk: DropoutLabel | null; cumulative_integrity: string | null; cumulative_lmi: string | null; attempts: number; flagged_count: number; last_attempt_at: string | null }[]>(
      `select s.* from student_risk_summary s where ${scope.sql} ${after ? 'and s.student_id > ?' : ''} order by s.student_id limit ?`,
      [...scope.params, ...(after ? [after] : []), first + 1],
    );
    return {
      refreshedAt: await lastRefresh(em, 'student_risk_summary'),
      hasMore: rows.length > first,
      items: rows.slice(0, first).map((r) => ({
        studentId: r.student_id,
        cohort: r.cohort,
        risk: r.risk,
        cumulativeIntegrity: num(r.cumulative_integrity),
        cumulativeLmi: num(r.cumulative_lmi),
        attempts: r.attempts,
        flaggedCount: r.flagged_count,
        lastAttemptAt: date(r.last_attempt_at),
      })),
    };
  }
}

/** Students the viewer may see, over the view's rows `s`: as for users, by cohort. */
function studentScope(viewer: Viewer): { sql: string; params: unknown[] } {
  if (seesEveryone(viewer)) return { sql: 'true', params: [] };
  if (viewer.user.role === Role.TEACHER) return { sql: 's.cohort in (select json_array_elements_text(?::json))', params: [JSON.stringify(viewer.cohortsTaught)] };
  return { sql: 's.student_id = ?', params: [viewer.user.id] };
}
