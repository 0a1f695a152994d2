import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import { AttemptStatus, DropoutLabel } from '../../entities/exam-enums';
import { attemptVisibleSql } from '../../permissions/exam.scope';
import { allOf, type SqlCondition } from '../../permissions/sql-condition';
import { AttemptDimension, AttemptMetric, type AttemptStats, type AttemptStatsKey, type AttemptStatsValues } from '../../types/attempt-stats.types';
import { checkFilterRange } from '../time-range';
import { groupedStats, refuseStudentGrouping, utcBucket, type DimensionSpec, type MetricSpec, type StatsLimits } from './grouped-stats';

export interface AttemptStatsFilterArgs {
  examId?: string | null;
  subject?: string | null;
  studentId?: string | null;
  status?: AttemptStatus | null;
  from?: Date | null;
  to?: Date | null;
}

export interface AttemptStatsArgs {
  filter?: AttemptStatsFilterArgs | null;
  groupBy: AttemptDimension[];
  metrics: AttemptMetric[];
}

const EXAM_JOIN = 'join exams e on e.id = a.exam_id';

/** Over `a` (exam_attempts); COHORT joins the student's profile (one row per user) and SUBJECT the exam (one per attempt). */
const DIMENSIONS: Record<AttemptDimension, DimensionSpec<keyof AttemptStatsKey>> = {
  [AttemptDimension.EXAM]: { sql: 'a.exam_id', key: 'examId' },
  [AttemptDimension.SUBJECT]: { sql: 'e.subject', key: 'subject', join: EXAM_JOIN },
  [AttemptDimension.COHORT]: { sql: 'cohort_of.cohort', key: 'cohort', join: 'left join student_profiles cohort_of on cohort_of.user_id = a.student_id' },
  [AttemptDimension.STUDENT]: { sql: 'a.student_id', key: 'studentId' },
  [AttemptDimension.STATUS]: { sql: 'a.status', key: 'status', bound: Object.keys(AttemptStatus).length },
  // Unjudged attempts make a group of their own (null).
  [AttemptDimension.DROPOUT_LABEL]: { sql: 'a.dropout_label', key: 'dropoutLabel', bound: Object.keys(DropoutLabel).length + 1 },
  [AttemptDimension.DAY]: { sql: utcBucket('day', 'a.started_at'), key: 'day', time: 'day' },
  [AttemptDimension.WEEK]: { sql: utcBucket('week', 'a.started_at'), key: 'week', time: 'week' },
  [AttemptDimension.MONTH]: { sql: utcBucket('month', 'a.started_at'), key: 'month', time: 'month' },
};

/** Means skip nulls: AVG_SCORE is over scored attempts, PASS_RATE over judged ones, AVG_DURATION_SECONDS over finished ones. */
const METRICS: Record<AttemptMetric, MetricSpec<keyof AttemptStatsValues>> = {
  [AttemptMetric.COUNT]: { sql: 'count(*)', key: 'count' },
  [AttemptMetric.AVG_SCORE]: { sql: 'avg(a.percentage)::float8', key: 'avgScore' },
  [AttemptMetric.PASS_RATE]: { sql: 'avg(a.passed::int)::float8', key: 'passRate' },
  [AttemptMetric.AVG_INTEGRITY]: { sql: 'avg(a.integrity_score)::float8', key: 'avgIntegrity' },
  [AttemptMetric.AVG_LMI]: { sql: 'avg(a.lmi)::float8', key: 'avgLmi' },
  [AttemptMetric.FLAGGED_COUNT]: { sql: 'count(*) filter (where a.flagged)', key: 'flaggedCount' },
  [AttemptMetric.AVG_DURATION_SECONDS]: { sql: 'avg(a.duration_seconds)::float8', key: 'avgDurationSeconds' },
};

/** The attempts list's predicate (attemptVisibleSql) and the filter, over `a`; SUBJECT's filter asks the exam without a join. */
function attemptFilterSql(viewer: Viewer, filter: AttemptStatsFilterArgs): SqlCondition {
  checkFilterRange(filter);
  const parts = [attemptVisibleSql(viewer, 'a')];
  if (filter.examId) parts.push({ sql: 'a.exam_id = ?', params: [filter.examId] });
  if (filter.subject) parts.push({ sql: 'a.exam_id in (select s.id from exams s where s.subject = ?)', params: [filter.subject] });
  if (filter.studentId) parts.push({ sql: 'a.student_id = ?', params: [filter.studentId] });
  if (filter.status) parts.push({ sql: 'a.status = ?', params: [filter.status] });
  if (filter.from) parts.push({ sql: 'a.started_at >= ?', params: [filter.from] });
  if (filter.to) parts.push({ sql: 'a.started_at < ?', params: [filter.to] });
  return allOf(...parts);
}

/** Grouped statistics over exam attempts, one statement under the same predicate as the attempt lists. */
export class AttemptStatsService {
  constructor(private readonly limits: StatsLimits) {}

  async stats(em: EntityManager, viewer: Viewer, args: AttemptStatsArgs): Promise<AttemptStats> {
    const filter = args.filter ?? {};
    refuseStudentGrouping(viewer, args.groupBy, AttemptDimension.STUDENT);
    const where = attemptFilterSql(viewer, filter);
    return groupedStats<AttemptDimension, AttemptMetric, AttemptStatsKey, AttemptStatsValues>(em, {
      groupBy: args.groupBy,
      metrics: args.metrics,
      dimensionSpecs: filter.status ? { ...DIMENSIONS, [AttemptDimension.STATUS]: { ...DIMENSIONS.STATUS, bound: 1 } } : DIMENSIONS,
      metricSpecs: METRICS,
      range: filter,
      from: 'exam_attempts a',
      where,
      maxGroups: this.limits.maxGroups,
    });
  }
}
