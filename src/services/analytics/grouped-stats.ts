import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import { Role } from '../../entities/role';
import { badInput, forbidden } from '../../errors';
import type { SqlCondition } from '../../permissions/sql-condition';
import type { TimeRange } from '../time-range';

/**
 * The machinery the grouped statistics share (assessmentStats, attemptStats, monitoringStats):
 * each names its dimensions and metrics as whitelisted SQL fragments, and this checks the
 * request, estimates its size before anything runs, builds the one statement and turns its
 * rows into keys and values.
 * Input never reaches the statement's text: only the fragments do, and values go as parameters.
 */

export type TimeBucket = 'minute' | 'hour' | 'day' | 'week' | 'month';

/** Finest first: the estimate counts buckets of the finest time dimension asked for. */
const TIME_ORDER: TimeBucket[] = ['minute', 'hour', 'day', 'week', 'month'];

const BUCKET_MS: Record<Exclude<TimeBucket, 'month'>, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000 };

export interface DimensionSpec<Key> {
  /** SQL of the group key over the statement's aliases. */
  sql: string;
  /** Field of the key object it fills. */
  key: Key;
  /** A UTC time bucket: its value is returned as a Date, and its count is estimated from the range. */
  time?: TimeBucket;
  /** The most groups it can make, when known before execution (enums); none for ids and names. */
  bound?: number;
  /** A join it needs, included once whatever else asks for it. */
  join?: string;
}

export interface MetricSpec<Key> {
  sql: string;
  key: Key;
  join?: string;
}

/**
 * The UTC bucket of a timestamptz column, as a timestamptz: it starts at 00:00 UTC whatever the
 * session's zone. Truncating the UTC wall time and reading it back as UTC gives what
 * `date_trunc(bucket, column, 'UTC')` gives, without its time zone lookup per row (about a
 * sixth of an admin's COHORT×MONTH over 2 million assessments).
 */
export const utcBucket = (bucket: TimeBucket, column: string): string => `(date_trunc('${bucket}', ${column} at time zone 'UTC') at time zone 'UTC')`;

export interface StatsLimits {
  /** STATS_MAX_GROUPS: groups returned at most (then `truncated`), and the most a request may be estimated to ask for. */
  maxGroups: number;
}

/** Buckets [from, to) can touch at one granularity. */
function bucketsIn(time: TimeBucket, from: Date, to: Date): number {
  if (time === 'month') return (to.getUTCFullYear() - from.getUTCFullYear()) * 12 + (to.getUTCMonth() - from.getUTCMonth()) + 1;
  return Math.ceil(Math.max(0, to.getTime() - from.getTime()) / BUCKET_MS[time]) + 1;
}

/**
 * The pre-check of a request's size, before any statement: with a time dimension the range
 * must start (`filter.from`; `to` defaults to now), and the estimated groups (buckets of the
 * finest time dimension × the bound of every bounded dimension) must not exceed
 * STATS_MAX_GROUPS. Dimensions with no bound known ahead are left to the group limit.
 */
function checkGroupEstimate<Name extends string>(
  groupBy: readonly Name[],
  specs: Record<Name, DimensionSpec<unknown>>,
  range: TimeRange,
  maxGroups: number,
  now = new Date(),
): void {
  const times = groupBy.map((d) => specs[d].time).filter((t) => t !== undefined);
  let estimate = 1;
  const parts: string[] = [];
  if (times.length) {
    const finest = TIME_ORDER.find((t) => times.includes(t))!;
    const name = finest.toUpperCase();
    if (!range.from) {
      throw badInput(`grouping by ${name} needs filter.from: time buckets are counted before the query runs (at most STATS_MAX_GROUPS = ${maxGroups} groups)`, {
        field: 'filter.from',
      });
    }
    const buckets = bucketsIn(finest, range.from, range.to ?? now);
    estimate *= buckets;
    parts.push(`${buckets} ${name} buckets`);
  }
  for (const d of groupBy) {
    const bound = specs[d].bound;
    if (bound !== undefined) {
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

/** Students' statistics cover only themselves: grouping them by student is refused, not answered with one group. */
export function refuseStudentGrouping<D>(viewer: Viewer, groupBy: readonly D[], student: D): void {
  if (viewer.user.role === Role.STUDENT && groupBy.includes(student)) {
    throw forbidden('Students cannot group by STUDENT: their statistics cover only themselves');
  }
}

export interface GroupedQuery<D extends string, M extends string, K, V> {
  groupBy: readonly D[];
  metrics: readonly M[];
  /** Every dimension's and metric's SQL: what a request may name. */
  dimensionSpecs: Record<D, DimensionSpec<keyof K>>;
  metricSpecs: Record<M, MetricSpec<keyof V>>;
  /** The filter's time range, which the time buckets are counted over. */
  range: TimeRange;
  /** `table alias`, e.g. `skill_assessments a`. */
  from: string;
  /** Joins the predicate needs; one a dimension or metric also names is made once. */
  joins?: string[];
  /** The caller's access predicate and filter over the statement's aliases. */
  where: SqlCondition;
  maxGroups: number;
}

export interface GroupedRows<K, V> {
  rows: { key: K; values: V }[];
  truncated: boolean;
}

/** PostgreSQL's query_canceled: what a statement past statement_timeout fails with. */
const QUERY_CANCELED = '57014';

const toDate = (value: unknown): Date => (value instanceof Date ? value : new Date(String(value)));

/**
 * At least one metric, repeats counted once, the size pre-check, then one statement: the
 * groups ordered by the keys in groupBy order (nulls last), at most maxGroups of them.
 */
export async function groupedStats<D extends string, M extends string, K extends object, V extends object>(
  em: EntityManager,
  query: GroupedQuery<D, M, K, V>,
): Promise<GroupedRows<K, V>> {
  const { maxGroups } = query;
  if (query.metrics.length === 0) throw badInput('metrics must name at least one metric', { field: 'metrics' });
  const groupBy = [...new Set(query.groupBy)];
  checkGroupEstimate(groupBy, query.dimensionSpecs, query.range, maxGroups);
  const dims = groupBy.map((d) => query.dimensionSpecs[d]);
  const mets = [...new Set(query.metrics)].map((m) => query.metricSpecs[m]);
  const joins = [...new Set([...(query.joins ?? []), ...[...dims, ...mets].map((s) => s.join).filter((j) => j !== undefined)])];
  const positions = dims.map((_, i) => String(i + 1));
  const text = [
    `select ${[...dims.map((d, i) => `${d.sql} as k${i}`), ...mets.map((m, i) => `${m.sql} as m${i}`)].join(', ')}`,
    `from ${query.from}`,
    ...joins,
    `where ${query.where.sql}`,
    ...(dims.length ? [`group by ${positions.join(', ')}`, `order by ${positions.map((p) => `${p} nulls last`).join(', ')}`] : []),
    `limit ${maxGroups + 1}`,
  ].join('\n');
  const found = await em.execute<Record<string, unknown>[]>(text, query.where.params).catch((error: unknown) => {
    // The statement timeout is the last guard against a grouping too broad to estimate: the caller can narrow it.
    if ((error as { code?: unknown }).code === QUERY_CANCELED) {
      throw badInput('these statistics ran past the database statement timeout (DB_STATEMENT_TIMEOUT_MS): narrow the filter (from/to, an id) or group by fewer dimensions', {
        field: 'filter',
      });
    }
    throw error;
  });
  const rows = found.slice(0, maxGroups).map((row) => {
    const key = {} as Record<keyof K, unknown>;
    dims.forEach((d, i) => {
      const value = row[`k${i}`];
      key[d.key] = value == null ? null : d.time ? toDate(value) : value;
    });
    const values = {} as Record<keyof V, number | null>;
    mets.forEach((m, i) => {
      const value = row[`m${i}`];
      values[m.key] = value == null ? null : Number(value);
    });
    return { key: key as K, values: values as V };
  });
  return { rows, truncated: found.length > maxGroups };
}
