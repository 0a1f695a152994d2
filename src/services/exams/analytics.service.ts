import type { EntityManager } from '@mikro-orm/postgresql';
import type { DropoutLabel } from '../../entities/exam-enums';
import type { ExamAnalytics } from '../../types/exam-analytics.types';

interface Row {
  summary: {
    attempts: number;
    unique_students: number;
    average_score: number | null;
    pass_rate: number | null;
    average_integrity: number | null;
    high_risk: number;
    flagged: number;
  };
  in_progress: number;
  buckets: { bucket: number; count: number }[] | null;
  students:
    | {
        student_id: string;
        attempts: number;
        best: number;
        average: number;
        passed: boolean;
        integrity: number | null;
        label: DropoutLabel;
        flagged: boolean;
        last_at: string;
      }[]
    | null;
}

const BUCKETS = 10;

/**
 * One statement over the exam's completed attempts, read from the covering partial index
 * exam_attempts_analytics_idx, so the cost follows the exam's attempts, not the table's.
 */
export async function examAnalytics(em: EntityManager, examId: string): Promise<ExamAnalytics> {
  const [row] = await em.execute<Row[]>(
    `with done as (
       select student_id, percentage, passed, integrity_score, dropout_label, flagged, completed_at
         from exam_attempts where exam_id = ? and status = 'COMPLETED'
     )
     select
       (select json_build_object(
                 'attempts', count(*), 'unique_students', count(distinct student_id),
                 'average_score', round(avg(percentage), 2), 'pass_rate', round(avg(passed::int), 4),
                 'average_integrity', round(avg(integrity_score), 4),
                 'high_risk', count(*) filter (where dropout_label = 'HIGH_RISK'),
                 'flagged', count(*) filter (where flagged))
          from done) as summary,
       (select count(*)::int from exam_attempts where exam_id = ? and status = 'IN_PROGRESS') as in_progress,
       (select json_agg(json_build_object('bucket', bucket, 'count', n) order by bucket)
          from (select least(floor(percentage / ${100 / BUCKETS}), ${BUCKETS - 1})::int as bucket, count(*) as n
                  from done group by 1) b) as buckets,
       (select json_agg(s order by s.average desc, s.student_id)
          from (select student_id, count(*) as attempts, max(percentage) as best, round(avg(percentage), 2) as average,
                       bool_or(passed) as passed, round(avg(integrity_score), 4) as integrity,
                       (array_agg(dropout_label order by completed_at desc))[1] as label,
                       bool_or(flagged) as flagged, max(completed_at) as last_at
                  from done group by student_id) s) as students`,
    [examId, examId],
  );
  const counts = new Map((row.buckets ?? []).map((b) => [b.bucket, b.count]));
  const num = (value: number | string | null) => (value === null ? null : Number(value));
  return {
    examId,
    attempts: row.summary.attempts,
    inProgress: row.in_progress,
    uniqueStudents: row.summary.unique_students,
    averageScore: num(row.summary.average_score),
    passRate: num(row.summary.pass_rate),
    averageIntegrity: num(row.summary.average_integrity),
    highRiskCount: row.summary.high_risk,
    flaggedCount: row.summary.flagged,
    scoreDistribution: Array.from({ length: BUCKETS }, (_, i) => ({
      from: (i * 100) / BUCKETS,
      to: ((i + 1) * 100) / BUCKETS,
      count: counts.get(i) ?? 0,
    })),
    students: (row.students ?? []).map((s) => ({
      examId,
      studentId: s.student_id,
      attempts: s.attempts,
      bestPercentage: Number(s.best),
      averagePercentage: Number(s.average),
      passed: s.passed,
      averageIntegrity: num(s.integrity),
      latestDropoutLabel: s.label,
      flagged: s.flagged,
      lastCompletedAt: new Date(s.last_at),
    })),
  };
}
