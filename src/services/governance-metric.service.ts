import type { EntityManager } from '@mikro-orm/postgresql';
import { GOVERNANCE_METRIC_NAMES, type GovernanceMetricName, MetricDimension } from '../entities/governance-metric.entity';
import { badInput } from '../errors';
import type { SqlCondition } from '../permissions/sql-condition';

/** Bins start at multiples of their length from this Monday (UTC), so days start at midnight and weeks on Monday. */
export const METRICS_ORIGIN = '2000-01-03T00:00:00Z';
const ORIGIN_MS = Date.parse(METRICS_ORIGIN);
/** How far back a sampler that finds no recent sample goes: the default LLM trail retention; older rows are likely gone. */
const MAX_CATCH_UP_MS = 7 * 86_400_000;
/** The most points one series of governanceMetrics may have. */
export const MAX_BUCKETS = 1000;

export interface MetricSample {
  name: GovernanceMetricName;
  dimension: MetricDimension | '';
  dimensionValue: string;
  intervalStart: Date;
  intervalEnd: Date;
  value: string;
}

/** The start of the interval of `strideMs` that holds `at`. */
export const binStart = (at: Date, strideMs: number) => new Date(ORIGIN_MS + Math.floor((at.getTime() - ORIGIN_MS) / strideMs) * strideMs);

/*
 * Facts of [from, to) from the live tables, one row per event and metric: its time, what it
 * adds, and its dimension values (mode key, '' for none; workflow name; project id; null
 * where the dimension does not apply). A workflow counts as started when it starts and as
 * completed or failed (FAILED or CANCELLED, unsuccessful as in governanceModeDistribution)
 * when it finishes. LLM tokens and cost count at the call's time, as recorded when sampled.
 */
const FACTS = `
  select 'workflows_started' as name, w.started_at as at, 1::numeric as amount, coalesce(m.key, '') as mode, w.workflow_name as workflow, null as project
    from workflow_executions w left join governance_modes m on m.id = w.mode_id
   where w.started_at >= :from and w.started_at < :to
  union all
  select case when w.status = 'COMPLETED' then 'workflows_completed' else 'workflows_failed' end, w.completed_at, 1, coalesce(m.key, ''), w.workflow_name, null
    from workflow_executions w left join governance_modes m on m.id = w.mode_id
   where w.status in ('COMPLETED', 'FAILED', 'CANCELLED') and w.completed_at >= :from and w.completed_at < :to
  union all
  select x.name, t.called_at, x.amount, coalesce(m.key, ''), null, t.project_id::text
    from llm_audit_trails t left join governance_modes m on m.id = t.mode_id
   cross join lateral (values ('llm_calls', 1::numeric), ('llm_tokens', t.total_tokens::numeric), ('llm_cost', t.total_cost)) x(name, amount)
   where t.called_at >= :from and t.called_at < :to and x.amount is not null
  union all
  select x.name, a.created_at, 1, null, null, null
    from audit_logs a
   cross join lateral (values ('audit_entries', true), ('failed_logins', a.action = 'LOGIN_FAILED')) x(name, counts)
   where a.created_at >= :from and a.created_at < :to and x.counts`;

/*
 * Every bin of [from, to) gets a total per counted metric (0 when nothing happened, so a
 * sampled interval is told from a missing one), each dimension value that occurred a row, and
 * the success rate (completed over completed + failed) where a workflow finished.
 */
const SAMPLE = `
  with bins as (
    select greatest(b, :from::timestamptz) as s, least(b + :stride::interval, :to::timestamptz) as e
      from generate_series(date_bin(:stride::interval, :from::timestamptz, :origin::timestamptz), :to::timestamptz - interval '1 microsecond', :stride::interval) b
  ), facts as (
    select f.*, greatest(date_bin(:stride::interval, f.at, :origin::timestamptz), :from::timestamptz) as s from (${FACTS}) f
  ), counted as (
    select n.name, '' as dimension, '' as dimension_value, b.s, coalesce(sum(f.amount), 0) as value
      from bins b cross join unnest(:counted::text[]) n(name) left join facts f on f.name = n.name and f.s = b.s
     group by 1, 2, 3, 4
    union all
    select f.name, d.dimension, d.value, f.s, sum(f.amount)
      from facts f cross join lateral (values ('mode', f.mode), ('workflow', f.workflow), ('project', f.project)) d(dimension, value)
     where d.value is not null
     group by 1, 2, 3, 4
  ), rates as (
    select 'workflow_success_rate', dimension, dimension_value, s,
           round(coalesce(sum(value) filter (where name = 'workflows_completed'), 0) / sum(value), 10)
      from counted where name in ('workflows_completed', 'workflows_failed')
     group by 2, 3, 4 having sum(value) > 0
  )
  insert into governance_metrics (name, dimension, dimension_value, interval_start, interval_end, value)
  select r.name, r.dimension, r.dimension_value, r.s, b.e, r.value
    from (select * from counted union all select * from rates) r join bins b on b.s = r.s
  on conflict (name, dimension, dimension_value, interval_start) do nothing
  returning name, dimension, dimension_value, interval_start, interval_end, trim_scale(value)::text as value`;

const COUNTED = GOVERNANCE_METRIC_NAMES.filter((n) => n !== 'workflow_success_rate');

/** A text[] literal for one bind parameter (knex would spread an array); the values are known names, '' included. */
const textArray = (values: readonly string[]) => `{${values.map((v) => `"${v}"`).join(',')}}`;

interface SampleRow {
  name: GovernanceMetricName;
  dimension: MetricDimension | '';
  dimension_value: string;
  interval_start: Date;
  interval_end: Date;
  value: string;
}

const toSample = (r: SampleRow): MetricSample => ({
  name: r.name,
  dimension: r.dimension,
  dimensionValue: r.dimension_value,
  intervalStart: new Date(r.interval_start),
  intervalEnd: new Date(r.interval_end),
  value: r.value,
});

/**
 * Appends samples from the live tables, continuing from the end of the last sample (or one
 * interval back, at most 7 days) up to `until`: the start of the current interval (the job)
 * or now (`assay metrics snapshot`, whose partial interval the next run continues from).
 * Interval bins of `strideSeconds` line up on METRICS_ORIGIN. One transaction holding an
 * advisory lock, so concurrent samplers take turns and the second finds nothing left to do;
 * the unique key with `on conflict do nothing` keeps a sample single whatever writes it.
 */
export function appendGovernanceMetrics(em: EntityManager, options: { strideSeconds: number; until: 'interval' | 'now' }): Promise<MetricSample[]> {
  const strideMs = options.strideSeconds * 1000;
  const now = new Date();
  const current = binStart(now, strideMs);
  const to = options.until === 'interval' ? current : now;
  return em.transactional(async (tx) => {
    await tx.execute(`select pg_advisory_xact_lock(hashtext('assay:governance-metrics'))`);
    const [last] = await tx.execute<{ end: Date }[]>(
      `select interval_end as end from governance_metrics
        where name = 'workflows_started' and dimension = '' and dimension_value = ''
        order by interval_start desc limit 1`,
    );
    const start = last ? new Date(last.end).getTime() : current.getTime() - strideMs;
    const from = new Date(Math.max(start, to.getTime() - MAX_CATCH_UP_MS));
    if (from >= to) return [];
    return (await sampleRange(tx, from, to, options.strideSeconds)).map(toSample);
  });
}

/** Samples [from, to) in bins of strideSeconds; the demo seed uses it to backfill its week of live rows. */
export function sampleRange(em: EntityManager, from: Date, to: Date, strideSeconds: number): Promise<SampleRow[]> {
  const named = { from: from.toISOString(), to: to.toISOString(), stride: `${strideSeconds} seconds`, origin: METRICS_ORIGIN, counted: textArray(COUNTED) };
  const params: unknown[] = [];
  const sql = SAMPLE.replace(/:(from|to|stride|origin|counted)\b/g, (_m, key: keyof typeof named) => {
    params.push(named[key]);
    return '?';
  });
  return em.execute<SampleRow[]>(sql, params);
}

/** Buckets governanceMetrics may group samples into. */
export enum MetricBucket {
  HOUR = 'HOUR',
  DAY = 'DAY',
  WEEK = 'WEEK',
}
const BUCKET_MS: Record<MetricBucket, number> = { HOUR: 3_600_000, DAY: 86_400_000, WEEK: 7 * 86_400_000 };

export interface MetricSeriesRow {
  name: GovernanceMetricName;
  dimension: MetricDimension | null;
  dimensionValue: string | null;
  points: { at: Date; value: number }[];
}

export interface MetricSeriesArgs {
  names: string[];
  from: Date;
  to: Date;
  interval?: MetricBucket | null;
  dimensions?: MetricDimension[] | null;
}

function checkSeriesArgs(args: MetricSeriesArgs): GovernanceMetricName[] {
  const unknown = args.names.filter((n) => !(GOVERNANCE_METRIC_NAMES as readonly string[]).includes(n));
  if (args.names.length === 0) throw badInput('names must name at least one metric', { argumentName: 'names' });
  if (unknown.length) {
    throw badInput(`Unknown metric ${unknown.map((n) => `"${n}"`).join(', ')}; metrics: ${GOVERNANCE_METRIC_NAMES.join(', ')}`, { argumentName: 'names' });
  }
  if (args.from >= args.to) throw badInput('from must be before to');
  const bucket = args.interval ?? MetricBucket.DAY;
  const buckets = Math.ceil((args.to.getTime() - binStart(args.from, BUCKET_MS[bucket]).getTime()) / BUCKET_MS[bucket]);
  if (buckets > MAX_BUCKETS) throw badInput(`from and to span ${buckets} ${bucket.toLowerCase()} buckets; at most ${MAX_BUCKETS}`);
  return [...new Set(args.names as GovernanceMetricName[])];
}

/**
 * Series for charts: samples whose interval starts in [from, to), grouped by date_bin into
 * buckets in SQL, a total per name and, per requested dimension, one series per value.
 * Counts, tokens and cost are summed; the success rate is recomputed from the bucket's
 * completed and failed sums (a mean of rates would weigh a quiet hour like a busy one).
 * Buckets with no sample have no point. `visible` is the viewer's access predicate (alias g).
 */
export async function governanceMetricSeries(em: EntityManager, args: MetricSeriesArgs, visible: SqlCondition): Promise<MetricSeriesRow[]> {
  const names = checkSeriesArgs(args);
  const dimensions = ['', ...new Set(args.dimensions ?? [])];
  const read = names.includes('workflow_success_rate') ? [...names, 'workflows_completed', 'workflows_failed'] : names;
  const rows = await em.execute<{ name: GovernanceMetricName; dimension: string; dimension_value: string; at: Date; value: number }[]>(
    `with sums as (
       select g.name, g.dimension, g.dimension_value, date_bin(?::interval, g.interval_start, ?::timestamptz) as at, sum(g.value) as value
         from governance_metrics g
        where g.name = any(?::text[]) and g.dimension = any(?::text[]) and g.interval_start >= ? and g.interval_start < ? and (${visible.sql})
        group by 1, 2, 3, 4
     )
     select name, dimension, dimension_value, at, value::float8 as value from sums
      where name = any(?::text[]) and name <> 'workflow_success_rate'
     union all
     select 'workflow_success_rate', dimension, dimension_value, at,
            (coalesce(sum(value) filter (where name = 'workflows_completed'), 0) / sum(value))::float8
       from sums where ? and name in ('workflows_completed', 'workflows_failed')
      group by dimension, dimension_value, at having sum(value) > 0
     order by name, dimension, dimension_value, at`,
    [
      `${BUCKET_MS[args.interval ?? MetricBucket.DAY] / 1000} seconds`,
      METRICS_ORIGIN,
      textArray(read),
      textArray(dimensions),
      args.from,
      args.to,
      ...visible.params,
      textArray(names),
      names.includes('workflow_success_rate'),
    ],
  );
  const series = new Map<string, MetricSeriesRow>();
  for (const r of rows) {
    const key = `${r.name}\u0000${r.dimension}\u0000${r.dimension_value}`;
    if (!series.has(key)) {
      series.set(key, {
        name: r.name,
        dimension: r.dimension === '' ? null : (r.dimension as MetricDimension),
        dimensionValue: r.dimension === '' || r.dimension_value === '' ? null : r.dimension_value,
        points: [],
      });
    }
    series.get(key)!.points.push({ at: new Date(r.at), value: r.value });
  }
  return [...series.values()];
}

/** The raw samples whose interval starts in [from, to), oldest first, for the CSV export. */
export async function metricSamples(em: EntityManager, from: Date, to: Date): Promise<MetricSample[]> {
  if (from >= to) throw badInput('from must be before to');
  const rows = await em.execute<SampleRow[]>(
    `select name, dimension, dimension_value, interval_start, interval_end, trim_scale(value)::text as value from governance_metrics
      where interval_start >= ? and interval_start < ? order by interval_start, name, dimension, dimension_value`,
    [from, to],
  );
  return rows.map(toSample);
}
