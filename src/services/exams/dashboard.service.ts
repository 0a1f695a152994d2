import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import { Exam, ExamAttempt, PerformanceMetrics, type StudentProfile } from '../../entities';
import { AttemptStatus, DropoutLabel } from '../../entities/exam-enums';
import type { Loaders } from '../../loaders';
import { plainColumns, plainRows } from '../../db/plain-rows';
import { attemptVisibleSql, examVisibleSql } from '../../permissions/exam.scope';
import { studentRecordSql } from '../../permissions/user.scope';
import { AlertKind, IntegrityLevel, type DashboardAlert, type IntegrityStatus, type TeacherDashboard } from '../../types/dashboard.types';
import { FLAG_BELOW_INTEGRITY } from './scoring';

export function integrityStatusOf(profile: StudentProfile | null): IntegrityStatus {
  const value = profile?.cumulativeIntegrity ?? null;
  const level = value === null || value >= 0.8 ? IntegrityLevel.GOOD : value >= FLAG_BELOW_INTEGRITY ? IntegrityLevel.WATCH : IntegrityLevel.CONCERN;
  return { level, cumulativeIntegrity: value, flaggedForReview: profile?.flaggedForReview ?? false };
}

/** Plain advice from the denormalised figures; no model involved, so nothing to hide. */
export function recommendationsFor(metrics: PerformanceMetrics | null): string[] {
  if (!metrics || metrics.totalAttempts === 0) return ['Take your first exam to see how you are doing.'];
  const advice: string[] = [];
  for (const subject of metrics.weaknesses) advice.push(`Review ${subject}: your average there is under 50 %.`);
  if (metrics.currentRiskLabel === DropoutLabel.HIGH_RISK) advice.push('Talk to your teacher about a study plan.');
  if ((metrics.lmiTrend ?? 0) < -0.05) advice.push('Your recent results are below your average: revisit the last topics.');
  if ((metrics.integrityTrend ?? 0) < -0.1) advice.push('Keep exams in one window: switching away lowers your integrity score.');
  for (const subject of metrics.strengths) advice.push(`Keep it up in ${subject}.`);
  return advice.length ? advice : ['Steady progress: keep going.'];
}

export const DASHBOARD_EXAMS = 20;
export const DASHBOARD_ATTEMPTS = 20;
export const DASHBOARD_FLAGGED = 50;

export class DashboardService {
  /** The rows a teacher's dashboard is built from, each one scoped query. */
  async teacher(em: EntityManager, viewer: Viewer): Promise<TeacherDashboard> {
    const [recent, flagged] = await Promise.all([
      this.recentCompleted(em, viewer),
      this.flaggedOfCohorts(em, viewer),
    ]);
    return { teacherId: viewer.user.id, recent, flagged };
  }

  /**
   * The newest completed attempts the viewer may see: the newest few of each exam they may
   * view (an index range each), then the newest of those. Filtering every attempt by exam
   * and sorting them read all of a busy teacher's attempts (about 30 ms at 100,000).
   */
  private async recentCompleted(em: EntityManager, viewer: Viewer): Promise<ExamAttempt[]> {
    const exams = examVisibleSql(viewer, 'e');
    const attempts = attemptVisibleSql(viewer, 'a');
    const rows = await em.execute<Record<string, unknown>[]>(
      `select ${plainColumns(em, ExamAttempt, 'a')} from exams e cross join lateral (
         select * from exam_attempts x where x.exam_id = e.id and x.status = ? order by x.created_at desc, x.id desc limit ?) a
        where ${exams.sql} and ${attempts.sql}
        order by a.created_at desc, a.id desc limit ?`,
      [AttemptStatus.COMPLETED, DASHBOARD_ATTEMPTS, ...exams.params, ...attempts.params, DASHBOARD_ATTEMPTS],
    );
    return rows.map(plainRows(em, ExamAttempt));
  }

  /**
   * Students whose records the viewer may see (a teacher: the cohorts they teach) who are
   * flagged for intervention, latest first. The cohorts come as values and each student's
   * metrics row (one per student) is looked up by the partial index of flagged rows, so the
   * cost follows the teacher's students, not every flagged student: a join over a subquery
   * of teacher_profiles was planned as a hash join over all of them (about 5 ms warm at 5,000
   * students, against about 1); `limit 1` keeps the planner from turning the lookup back
   * into that join.
   */
  private async flaggedOfCohorts(em: EntityManager, viewer: Viewer): Promise<PerformanceMetrics[]> {
    const records = studentRecordSql(viewer, 'sp');
    const rows = await em.execute<Record<string, unknown>[]>(
      `select ${plainColumns(em, PerformanceMetrics, 'm')} from student_profiles sp
         cross join lateral (select * from performance_metrics x where x.student_id = sp.user_id and x.flagged_for_intervention limit 1) m
        where ${records.sql}
        order by m.last_attempt_at desc, m.id desc limit ?`,
      [...records.params, DASHBOARD_FLAGGED],
    );
    return rows.map(plainRows(em, PerformanceMetrics));
  }

  /** A student's newest attempts with their exams in one statement; the exams prime the loader the attempts' `exam` field reads. */
  async history(em: EntityManager, loaders: Loaders, studentId: string, limit: number): Promise<ExamAttempt[]> {
    const rows = await em.execute<Record<string, unknown>[]>(
      `select ${plainColumns(em, ExamAttempt, 'a')}, ${plainColumns(em, Exam, 'e', 'exam_')}
         from exam_attempts a join exams e on e.id = a.exam_id
        where a.student_id = ? order by a.created_at desc, a.id desc limit ?`,
      [studentId, limit],
    );
    const toAttempt = plainRows(em, ExamAttempt);
    const toExam = plainRows(em, Exam, 'exam_');
    return rows.map((row) => {
      const attempt = toAttempt(row);
      loaders.examById.prime(attempt.exam.id, toExam(row));
      return attempt;
    });
  }

  async exams(em: EntityManager, viewer: Viewer): Promise<Exam[]> {
    const visible = examVisibleSql(viewer, 'e');
    const rows = await em.execute<Record<string, unknown>[]>(
      `select ${plainColumns(em, Exam, 'e')} from exams e where ${visible.sql} order by e.created_at desc, e.id desc limit ?`,
      [...visible.params, DASHBOARD_EXAMS],
    );
    return rows.map(plainRows(em, Exam));
  }

  alerts(dashboard: TeacherDashboard): DashboardAlert[] {
    const flaggedAttempts = dashboard.recent
      .filter((a) => a.flagged)
      .map((a) => ({
        teacherId: dashboard.teacherId,
        studentId: a.student.id,
        attempt: a,
        kind: AlertKind.INTEGRITY_FLAG,
        message: `Integrity ${a.integrityScore} on an attempt: review the proctoring record`,
        at: a.completedAt ?? a.createdAt,
      }));
    const highRisk = dashboard.flagged
      .filter((m) => m.currentRiskLabel === DropoutLabel.HIGH_RISK)
      .map((m) => ({
        teacherId: dashboard.teacherId,
        studentId: m.student.id,
        attempt: null,
        kind: AlertKind.HIGH_RISK_STUDENT,
        message: `High dropout risk (average ${m.averageScore ?? '–'} %)`,
        at: m.lastAttemptAt ?? m.updatedAt,
      }));
    return [...flaggedAttempts, ...highRisk].sort((x, y) => y.at.getTime() - x.at.getTime());
  }
}
