import { randomUUID } from 'node:crypto';
import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { registerEnumType } from 'type-graphql';

/** The metric names the history records (checked in the database too). */
export const GOVERNANCE_METRIC_NAMES = [
  'workflows_started',
  'workflows_completed',
  'workflows_failed',
  'workflow_success_rate',
  'llm_calls',
  'llm_tokens',
  'llm_cost',
  'audit_entries',
  'failed_logins',
] as const;
export type GovernanceMetricName = (typeof GOVERNANCE_METRIC_NAMES)[number];

/** How a sample may be broken down; a total has none (stored as ''). */
export enum MetricDimension {
  MODE = 'mode',
  WORKFLOW = 'workflow',
  PROJECT = 'project',
}

registerEnumType(MetricDimension, {
  name: 'MetricDimension',
  description: 'A breakdown of a metric: by governance mode (workflows and LLM calls), workflow name (workflows) or project (LLM calls).',
});

/**
 * One sample of the governance metrics history: a metric's value over
 * [intervalStart, intervalEnd), as a total (dimension '') or for one dimension value.
 * Written in bulk by the sampler's SQL and read by SQL aggregates; never exposed as rows
 * (the API answers series), so it has no GraphQL type.
 */
@Entity({ tableName: 'governance_metrics' })
@Unique({ name: 'governance_metrics_sample_unique', properties: ['name', 'dimension', 'dimensionValue', 'intervalStart'] })
@Index({ name: 'governance_metrics_interval_start_idx', properties: ['intervalStart'] })
export class GovernanceMetric {
  [OptionalProps]?: 'dimension' | 'dimensionValue' | 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ length: 40 })
  name!: GovernanceMetricName;

  @Property({ length: 20 })
  dimension: MetricDimension | '' = '';

  @Property({ length: 255 })
  dimensionValue: string = '';

  @Property({ type: 'timestamptz' })
  intervalStart!: Date;

  @Property({ type: 'timestamptz' })
  intervalEnd!: Date;

  /** Exact decimal text (numeric), never a float. */
  @Property({ type: 'decimal', precision: 30, scale: 10 })
  value!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
