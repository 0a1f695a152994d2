import type { EntityManager } from '@mikro-orm/postgresql';
import { seesEveryone, type Viewer } from '../../auth/viewer';
import { MonitoringSeverity } from '../../entities/monitoring-enums';
import { Role } from '../../entities/role';
import { forbidden } from '../../errors';
import { attemptVisibleSql } from '../../permissions/exam.scope';
import { allOf, type SqlCondition } from '../../permissions/sql-condition';
import {
  MonitoringDimension,
  MonitoringMetric,
  type MonitoringStats,
  type MonitoringStatsKey,
  type MonitoringStatsValues,
} from '../../types/monitoring-stats.types';
import { checkFilterRange } from '../time-range';
import { groupedStats, utcBucket, type DimensionSpec, type MetricSpec, type StatsLimits } from './grouped-stats';

export interface MonitoringStatsFilterArgs {
  examId?: string | null;
  attemptId?: string | null;
  types?: string[] | null;
  severities?: MonitoringSeverity[] | null;
  from?: Date | null;
  to?: Date | null;
}

export interface MonitoringStatsArgs {
  filter?: MonitoringStatsFilterArgs | null;
  groupBy: MonitoringDimension[];
  metrics: MonitoringMetric[];
}

/** Over `m` (monitoring_events); EXAM reads the event's attempt `a`, one per event, so the join multiplies nothing. */
const ATTEMPT_JOIN = 'join exam_attempts a on a.id = m.attempt_id';

const DIMENSIONS: Record<MonitoringDimension, DimensionSpec<keyof MonitoringStatsKey>> = {
  [MonitoringDimension.EVENT_TYPE]: { sql: 'm.event_type', key: 'eventType' },
  [MonitoringDimension.SEVERITY]: { sql: 'm.severity', key: 'severity', bound: Object.keys(MonitoringSeverity).length },
  [MonitoringDimension.EXAM]: { sql: 'a.exam_id', key: 'examId', join: ATTEMPT_JOIN },
  [MonitoringDimension.ATTEMPT]: { sql: 'm.attempt_id', key: 'attemptId' },
  [MonitoringDimension.MINUTE]: { sql: utcBucket('minute', 'm.client_timestamp'), key: 'minute', time: 'minute' },
  [MonitoringDimension.HOUR]: { sql: utcBucket('hour', 'm.client_timestamp'), key: 'hour', time: 'hour' },
  [MonitoringDimension.DAY]: { sql: utcBucket('day', 'm.client_timestamp'), key: 'day', time: 'day' },
};

const METRICS: Record<MonitoringMetric, MetricSpec<keyof MonitoringStatsValues>> = {
  [MonitoringMetric.COUNT]: { sql: 'count(*)', key: 'count' },
  [MonitoringMetric.ANOMALY_COUNT]: { sql: 'count(*) filter (where m.is_anomaly)', key: 'anomalyCount' },
  [MonitoringMetric.AVG_ANOMALY_SCORE]: { sql: 'avg(m.anomaly_score)::float8', key: 'avgAnomalyScore' },
};

/**
 * The staff side of the attempts' predicate and the filter. An attempt filter also names its
 * partition (events are partitioned by the attempt's start), so one attempt reads one partition.
 */
function eventFilterSql(viewer: Viewer, filter: MonitoringStatsFilterArgs): SqlCondition {
  checkFilterRange(filter);
  const parts = [attemptVisibleSql(viewer, 'a')];
  if (filter.examId) parts.push({ sql: 'a.exam_id = ?', params: [filter.examId] });
  if (filter.attemptId) {
    parts.push({
      sql: 'm.attempt_id = ? and m.attempt_started_at = (select p.started_at from exam_attempts p where p.id = ?)',
      params: [filter.attemptId, filter.attemptId],
    });
  }
  if (filter.types?.length) parts.push({ sql: 'm.event_type = any (?::text[])', params: [`{${filter.types.join(',')}}`] });
  if (filter.severities?.length) parts.push({ sql: 'm.severity = any (?::text[])', params: [`{${filter.severities.join(',')}}`] });
  if (filter.from) parts.push({ sql: 'm.client_timestamp >= ?', params: [filter.from] });
  if (filter.to) parts.push({ sql: 'm.client_timestamp < ?', params: [filter.to] });
  return allOf(...parts);
}

/** Grouped statistics over proctoring events: staff only, over the attempts they may see, in one statement. */
export class MonitoringStatsService {
  constructor(private readonly limits: StatsLimits) {}

  async stats(em: EntityManager, viewer: Viewer, args: MonitoringStatsArgs): Promise<MonitoringStats> {
    if (!seesEveryone(viewer) && viewer.user.role !== Role.TEACHER) throw forbidden('Proctoring statistics are for staff');
    const filter = args.filter ?? {};
    const where = eventFilterSql(viewer, filter);
    const narrowed: Partial<Record<MonitoringDimension, DimensionSpec<keyof MonitoringStatsKey>>> = {};
    if (filter.types?.length) narrowed.EVENT_TYPE = { ...DIMENSIONS.EVENT_TYPE, bound: new Set(filter.types).size };
    if (filter.severities?.length) narrowed.SEVERITY = { ...DIMENSIONS.SEVERITY, bound: new Set(filter.severities).size };
    // An admin's or auditor's events need their attempt only to group or filter by exam: 10 million rows join at a cost.
    const attempts = !seesEveryone(viewer) || filter.examId;
    return groupedStats<MonitoringDimension, MonitoringMetric, MonitoringStatsKey, MonitoringStatsValues>(em, {
      groupBy: args.groupBy,
      metrics: args.metrics,
      dimensionSpecs: { ...DIMENSIONS, ...narrowed },
      metricSpecs: METRICS,
      range: filter,
      from: 'monitoring_events m',
      joins: attempts ? [ATTEMPT_JOIN] : [],
      where,
      maxGroups: this.limits.maxGroups,
    });
  }
}
