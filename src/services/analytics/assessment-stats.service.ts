import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import { Role } from '../../entities/role';
import { badInput, forbidden } from '../../errors';
import {
  AssessmentDimension,
  AssessmentMetric,
  type AssessmentStats,
  type AssessmentStatsKey,
  type AssessmentStatsValues,
} from '../../types/assessment-stats.types';
import { assessmentFilterSql, type AssessmentFilterArgs } from '../assessment.service';

export interface AssessmentStatsArgs {
  filter?: AssessmentFilterArgs | null;
  groupBy: AssessmentDimension[];
  metrics: AssessmentMetric[];
}

export interface StatsLimits {
  /** STATS_MAX_GROUPS: groups returned at most (then `truncated`), and the most a request may be estimated to ask for. */
  maxGroups: number;
}

const DAY_MS = 86_400_000;

/**
 * Whitelisted SQL per dimension, over `a` (skill_assessments) and, for COHORT, `cohort_of`
 * (the student's profile, one row per user: the join multiplies nothing). Input never
 * reaches the statement's text: only these fragments do.
 */
const DIMENSIONS: Record<AssessmentDimension, { sql: string; key: keyof AssessmentStatsKey; time?: 'day' | 'week' | 'month' }> = {
  [AssessmentDimension.SKILL]: { sql: 'a.skill_type', key: 'skill' },
  [AssessmentDimension.STUDENT]: { sql: 'a.student_id', key: 'studentId' },
  [AssessmentDimension.COHORT]: { sql: 'cohort_of.cohort', key: 'cohort' },
  [AssessmentDimension.SOURCE]: { sql: 'a.source', key: 'source' },
  [AssessmentDimension.MODEL]: { sql: 'a.model_name', key: 'model' },
  [AssessmentDimension.DAY]: { sql: `date_trunc('day', a.created_at, 'UTC')`, key: 'day', time: 'day' },
  [AssessmentDimension.WEEK]: { sql: `date_trunc('week', a.created_at, 'UTC')`, key: 'week', time: 'week' },
  [AssessmentDimension.MONTH]: { sql: `date_trunc('month', a.created_at, 'UTC')`, key: 'month', time: 'month' },
};

/** Whitelisted SQL per metric; EVIDENCE_COUNT sums a per-assessment count (a lateral join of one row), so COUNT stays a count of assessments. */
const METRICS: Record<AssessmentMetric, { sql: string; key: keyof AssessmentStatsValues; integer?: boolean }> = {
  [AssessmentMetric.COUNT]: { sql: 'count(*)', key: 'count', integer: true },
  [AssessmentMetric.AVG_SCORE]: { sql: 'avg(a.score)::float8', key: 'avgScore' },
  [AssessmentMetric.MIN_SCORE]: { sql: 'min(a.score)::float8', key: 'minScore' },
  [AssessmentMetric.MAX_SCORE]: { sql: 'max(a.score)::float8', key: 'maxScore' },
  [AssessmentMetric.STDDEV_SCORE]: { sql: 'stddev_samp(a.score)::float8', key: 'stddevScore' },
  [AssessmentMetric.P50_SCORE]: { sql: 'percentile_cont(0.5) within group (order by a.score)', key: 'p50Score' },
  [AssessmentMetric.P90_SCORE]: { sql: 'percentile_cont(0.9) within group (order by a.score)', key: 'p90Score' },
  [AssessmentMetric.AVG_CONFIDENCE]: { sql: 'avg(a.confidence)::float8', key: 'avgConfidence' },
  [AssessmentMetric.EVIDENCE_COUNT]: { sql: 'coalesce(sum(evidence_of.n), 0)', key: 'evidenceCount', integer: true },
};

/** Upper bounds known before execution; STUDENT, COHORT and MODEL have none (the group limit truncates them). */
function boundOf(dimension: AssessmentDimension, filter: AssessmentFilterArgs): number | null {
  if (dimension === AssessmentDimension.SKILL) return filter.skillTypes?.length || 7;
  if (dimension === AssessmentDimension.SOURCE) return 2;
  return null;
}

/** Time buckets [from, to) can touch at one granularity (to defaults to now). */
function bucketsIn(time: 'day' | 'week' | 'month', from: Date, to: Date): number {
  const span = Math.max(0, to.getTime() - from.getTime());
  if (time === 'day') return Math.ceil(span / DAY_MS) + 1;
  if (time === 'week') return Math.ceil(span / (7 * DAY_MS)) + 1;
  return (to.getUTCFullYear() - from.getUTCFullYear()) * 12 + (to.getUTCMonth() - from.getUTCMonth()) + 1;
}

const TIME_ORDER = ['day', 'week', 'month'] as const;

/**
 * The pre-check of a request's size, before any statement: with a time dimension the range
 * must start (`filter.from`; `to` defaults to now), and the estimated groups (time buckets
 * of the finest time dimension × 7 skills or those filtered × 2 sources, as asked) must not
 * exceed STATS_MAX_GROUPS. Dimensions with no bound known ahead are left to the group limit.
 */
export function checkGroupEstimate(groupBy: AssessmentDimension[], filter: AssessmentFilterArgs, maxGroups: number, now = new Date()): void {
  const times = groupBy.map((d) => DIMENSIONS[d].time).filter((t) => t !== undefined);
  let estimate = 1;
  const parts: string[] = [];
  if (times.length) {
    const finest = TIME_ORDER.find((t) => times.includes(t))!;
    const name = finest.toUpperCase();
    if (!filter.from) {
      throw badInput(`grouping by ${name} needs filter.from: time buckets are counted before the query runs (at most STATS_MAX_GROUPS = ${maxGroups} groups)`, {
        field: 'filter.from',
      });
    }
    const buckets = bucketsIn(finest, filter.from, filter.to ?? now);
    estimate *= buckets;
    parts.push(`${buckets} ${name} buckets`);
  }
  for (const d of groupBy) {
    const bound = boundOf(d, filter);
    if (bound !== null) {
      estimate *= bound;
      parts.push(`${bound} ${d}`);
    }
  }
  if (estimate > maxGroups) {
    throw badInput(`this grouping could give ${estimate} groups (${parts.join(' × ')}), over STATS_MAX_GROUPS = ${maxGroups}: narrow filter.from/to or use a coarser bucket`, {
      field: 'groupBy',
      limit: maxGroups,
    });
  }
}

const toNumber = (value: unknown): number | null => (value == null ? null : Number(value));
const toDate = (value: unknown): Date => (value instanceof Date ? value : new Date(String(value)));

/** Grouped statistics over assessments, one statement under the same predicate and filter as the `assessments` connection. */
export class AssessmentStatsService {
  constructor(private readonly limits: StatsLimits) {}

  async stats(em: EntityManager, viewer: Viewer, args: AssessmentStatsArgs): Promise<AssessmentStats> {
    const filter = args.filter ?? {};
    const groupBy = [...new Set(args.groupBy)];
    const metrics = [...new Set(args.metrics)];
    if (metrics.length === 0) throw badInput('metrics must name at least one metric', { field: 'metrics' });
    if (viewer.user.role === Role.STUDENT && groupBy.includes(AssessmentDimension.STUDENT)) {
      throw forbidden('Students cannot group by STUDENT: their statistics cover only themselves');
    }
    const condition = assessmentFilterSql(viewer, filter);
    const { maxGroups } = this.limits;
    checkGroupEstimate(groupBy, filter, maxGroups);

    const dims = groupBy.map((d) => DIMENSIONS[d]);
    const mets = metrics.map((m) => METRICS[m]);
    const joins = [
      ...(groupBy.includes(AssessmentDimension.COHORT) ? ['left join student_profiles cohort_of on cohort_of.user_id = a.student_id'] : []),
      ...(metrics.includes(AssessmentMetric.EVIDENCE_COUNT)
        ? ['cross join lateral (select count(*) as n from evidence e where e.assessment_id = a.id) evidence_of']
        : []),
    ];
    const positions = dims.map((_, i) => String(i + 1));
    const text = [
      `select ${[...dims.map((d, i) => `${d.sql} as k${i}`), ...mets.map((m, i) => `${m.sql} as m${i}`)].join(', ')}`,
      'from skill_assessments a',
      ...joins,
      `where ${condition.sql}`,
      ...(dims.length ? [`group by ${positions.join(', ')}`, `order by ${positions.map((p) => `${p} nulls last`).join(', ')}`] : []),
      `limit ${maxGroups + 1}`,
    ].join('\n');
    const found = await em.execute<Record<string, unknown>[]>(text, condition.params);
    const truncated = found.length > maxGroups;
    const rows = found.slice(0, maxGroups).map((row) => {
      const key: AssessmentStatsKey = {};
      dims.forEach((d, i) => {
        const value = row[`k${i}`];
        (key as Record<string, unknown>)[d.key] = value == null ? null : d.time ? toDate(value) : value;
      });
      const values: AssessmentStatsValues = {};
      mets.forEach((m, i) => {
        values[m.key] = toNumber(row[`m${i}`]);
      });
      return { key, values };
    });
    return { rows, truncated };
  }
}
