import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import { SkillType } from '../../entities/skill';
import {
  AssessmentDimension,
  AssessmentMetric,
  type AssessmentStats,
  type AssessmentStatsKey,
  type AssessmentStatsValues,
} from '../../types/assessment-stats.types';
import { assessmentFilterSql, type AssessmentFilterArgs } from '../assessment.service';
import { groupedStats, refuseStudentGrouping, utcBucket, type DimensionSpec, type MetricSpec, type StatsLimits } from './grouped-stats';

export interface AssessmentStatsArgs {
  filter?: AssessmentFilterArgs | null;
  groupBy: AssessmentDimension[];
  metrics: AssessmentMetric[];
}

/** Over `a` (skill_assessments); COHORT joins the student's profile, one row per user, so the join multiplies nothing. */
const DIMENSIONS: Record<AssessmentDimension, DimensionSpec<keyof AssessmentStatsKey>> = {
  [AssessmentDimension.SKILL]: { sql: 'a.skill_type', key: 'skill', bound: Object.keys(SkillType).length },
  [AssessmentDimension.STUDENT]: { sql: 'a.student_id', key: 'studentId' },
  [AssessmentDimension.COHORT]: { sql: 'cohort_of.cohort', key: 'cohort', join: 'left join student_profiles cohort_of on cohort_of.user_id = a.student_id' },
  [AssessmentDimension.SOURCE]: { sql: 'a.source', key: 'source', bound: 2 },
  [AssessmentDimension.MODEL]: { sql: 'a.model_name', key: 'model' },
  [AssessmentDimension.DAY]: { sql: utcBucket('day', 'a.created_at'), key: 'day', time: 'day' },
  [AssessmentDimension.WEEK]: { sql: utcBucket('week', 'a.created_at'), key: 'week', time: 'week' },
  [AssessmentDimension.MONTH]: { sql: utcBucket('month', 'a.created_at'), key: 'month', time: 'month' },
};

/** EVIDENCE_COUNT sums a per-assessment count (a lateral join of one row), so COUNT stays a count of assessments. */
const METRICS: Record<AssessmentMetric, MetricSpec<keyof AssessmentStatsValues>> = {
  [AssessmentMetric.COUNT]: { sql: 'count(*)', key: 'count' },
  [AssessmentMetric.AVG_SCORE]: { sql: 'avg(a.score)::float8', key: 'avgScore' },
  [AssessmentMetric.MIN_SCORE]: { sql: 'min(a.score)::float8', key: 'minScore' },
  [AssessmentMetric.MAX_SCORE]: { sql: 'max(a.score)::float8', key: 'maxScore' },
  [AssessmentMetric.STDDEV_SCORE]: { sql: 'stddev_samp(a.score)::float8', key: 'stddevScore' },
  [AssessmentMetric.P50_SCORE]: { sql: 'percentile_cont(0.5) within group (order by a.score)', key: 'p50Score' },
  [AssessmentMetric.P90_SCORE]: { sql: 'percentile_cont(0.9) within group (order by a.score)', key: 'p90Score' },
  [AssessmentMetric.AVG_CONFIDENCE]: { sql: 'avg(a.confidence)::float8', key: 'avgConfidence' },
  [AssessmentMetric.EVIDENCE_COUNT]: {
    sql: 'coalesce(sum(evidence_of.n), 0)',
    key: 'evidenceCount',
    join: 'cross join lateral (select count(*) as n from evidence e where e.assessment_id = a.id) evidence_of',
  },
};

/** Grouped statistics over assessments, one statement under the same predicate and filter as the `assessments` connection. */
export class AssessmentStatsService {
  constructor(private readonly limits: StatsLimits) {}

  async stats(em: EntityManager, viewer: Viewer, args: AssessmentStatsArgs): Promise<AssessmentStats> {
    const filter = args.filter ?? {};
    refuseStudentGrouping(viewer, args.groupBy, AssessmentDimension.STUDENT);
    const where = assessmentFilterSql(viewer, filter);
    const skills = filter.skillTypes?.length;
    return groupedStats<AssessmentDimension, AssessmentMetric, AssessmentStatsKey, AssessmentStatsValues>(em, {
      groupBy: args.groupBy,
      metrics: args.metrics,
      dimensionSpecs: skills ? { ...DIMENSIONS, [AssessmentDimension.SKILL]: { ...DIMENSIONS.SKILL, bound: skills } } : DIMENSIONS,
      metricSpecs: METRICS,
      range: filter,
      from: 'skill_assessments a',
      where,
      maxGroups: this.limits.maxGroups,
    });
  }
}
