import { Migration } from '@mikro-orm/migrations';

/**
 * The governance metrics history (issue 17): samples appended by the governance-metrics job
 * from the live tables, kept after the rows they count are purged (LLM trails after 7 days).
 *
 * - One row per (metric, breakdown, sampled interval). The breakdown is one explicit pair,
 *   `dimension` ('' for the total, or mode, workflow, project) and `dimension_value` (the mode
 *   key, '' for no mode; the workflow name; the project id), not a jsonb bag: the job only ever
 *   breaks a metric down one way at a time, the pair can sit in a plain unique key, and the
 *   series query filters and groups by it through a b-tree. Which metric may be broken down
 *   how is checked here.
 * - `[interval_start, interval_end)` is what the sample covers: the sampler continues from
 *   the end of the last sample, so samples never overlap and a missed run is caught up.
 * - Idempotency: `governance_metrics_sample_unique` (metric, breakdown, interval start), and
 *   the sampler inserts `on conflict do nothing`: a second run in the same interval (or a
 *   concurrent `assay metrics snapshot`) starts where the first did and writes nothing.
 * - Values are exact numerics (costs are numeric(20, 10) sums); the success rate is 0-1.
 * - Index `(interval_start)`: retention deletes by age, and the CSV export reads by time.
 */
export class Migration20261207020000_governance_metrics extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table governance_metrics (
        id uuid primary key default gen_random_uuid(),
        name varchar(40) not null,
        dimension varchar(20) not null default '',
        dimension_value varchar(255) not null default '',
        interval_start timestamptz not null,
        interval_end timestamptz not null,
        value numeric(30, 10) not null,
        created_at timestamptz not null default now(),
        constraint governance_metrics_sample_unique unique (name, dimension, dimension_value, interval_start),
        constraint governance_metrics_name_check check (name in ('workflows_started', 'workflows_completed', 'workflows_failed',
          'workflow_success_rate', 'llm_calls', 'llm_tokens', 'llm_cost', 'audit_entries', 'failed_logins')),
        constraint governance_metrics_dimension_check check (
          (dimension = '' and dimension_value = '')
          or (dimension in ('mode', 'workflow') and name like 'workflow%')
          or (dimension in ('mode', 'project') and name like 'llm%')),
        constraint governance_metrics_interval_check check (interval_end > interval_start),
        constraint governance_metrics_value_check check (value >= 0 and (name <> 'workflow_success_rate' or value <= 1))
      )`);
    this.addSql(`create index governance_metrics_interval_start_idx on governance_metrics (interval_start)`);
    this.addSql(`select assay_track_writes('governance_metrics')`);
  }
}
