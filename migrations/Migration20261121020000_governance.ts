import { Migration } from '@mikro-orm/migrations';

export class Migration20261121020000_governance extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table projects (
        id uuid primary key,
        name varchar(200) not null,
        retention_days integer null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint projects_name_check check (length(trim(name)) > 0),
        constraint projects_retention_days_check check (retention_days between 1 and 3650),
        constraint projects_timestamps_check check (updated_at >= created_at)
      )`);
    this.addSql(`create unique index projects_name_unique on projects (lower(name))`);

    // Money is numeric, never float. Usage columns are all null (a placeholder) or all set.
    this.addSql(`
      create table llm_audit_trails (
        id uuid primary key,
        message_id varchar(200) not null,
        project_id uuid not null references projects (id) on delete cascade,
        model varchar(200) not null,
        reasoning text[] not null default '{}',
        context_layers jsonb not null default '[]',
        prompt_tokens integer null,
        completion_tokens integer null,
        total_tokens integer null,
        prompt_cost numeric(20, 10) null,
        completion_cost numeric(20, 10) null,
        total_cost numeric(20, 10) null,
        recorded_by_user_id uuid null references users (id) on delete set null,
        recorded_by_api_key_id uuid null references api_keys (id) on delete set null,
        called_at timestamptz not null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint llm_audit_trails_message_id_unique unique (message_id),
        constraint llm_audit_trails_message_id_check check (length(trim(message_id)) > 0),
        constraint llm_audit_trails_model_check check (length(trim(model)) > 0),
        constraint llm_audit_trails_tokens_check check (prompt_tokens >= 0 and completion_tokens >= 0 and total_tokens >= 0),
        constraint llm_audit_trails_tokens_complete_check check (
          (prompt_tokens is null) = (completion_tokens is null) and (completion_tokens is null) = (total_tokens is null)
        ),
        constraint llm_audit_trails_cost_check check (prompt_cost >= 0 and completion_cost >= 0 and total_cost >= 0),
        constraint llm_audit_trails_cost_complete_check check (
          (prompt_cost is null) = (completion_cost is null) and (completion_cost is null) = (total_cost is null)
        ),
        constraint llm_audit_trails_context_layers_check check (jsonb_typeof(context_layers) in ('array', 'object')),
        constraint llm_audit_trails_timestamps_check check (updated_at >= created_at)
      )`);
    // Serves cost analytics (one project, a time range) and retention (per project, older than a cutoff).
    this.addSql(`create index llm_audit_trails_project_called_at_idx on llm_audit_trails (project_id, called_at)`);

    this.addSql(`
      create table workflow_executions (
        id uuid primary key,
        workflow_name varchar(100) not null,
        status text not null,
        started_at timestamptz not null,
        completed_at timestamptz null,
        duration_ms bigint null,
        result jsonb null,
        error text null,
        triggered_by_user_id uuid null references users (id) on delete set null,
        triggered_by_api_key_id uuid null references api_keys (id) on delete set null,
        started_audit_id uuid not null references audit_logs (id),
        finished_audit_id uuid null references audit_logs (id),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint workflow_executions_name_check check (workflow_name ~ '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$'),
        constraint workflow_executions_status_check check (status in ('RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED')),
        constraint workflow_executions_finished_check check (
          (status = 'RUNNING') = (completed_at is null)
          and (completed_at is null) = (duration_ms is null)
          and (completed_at is null) = (finished_audit_id is null)
        ),
        constraint workflow_executions_duration_check check (completed_at >= started_at and duration_ms >= 0),
        constraint workflow_executions_error_check check (
          (status <> 'FAILED' or error is not null) and (error is null or status in ('FAILED', 'CANCELLED'))
        ),
        constraint workflow_executions_timestamps_check check (updated_at >= created_at)
      )`);
    this.addSql(`create index workflow_executions_name_started_idx on workflow_executions (workflow_name, started_at)`);
    this.addSql(`create index workflow_executions_started_idx on workflow_executions (started_at)`);
    this.addSql(`create index workflow_executions_triggered_by_idx on workflow_executions (triggered_by_user_id, started_at)`);

    this.addSql(`
      create table job_runs (
        id uuid primary key,
        job_name varchar(100) not null,
        trigger text not null,
        instance varchar(200) not null,
        status text not null,
        started_at timestamptz not null,
        finished_at timestamptz null,
        rows_affected bigint null,
        error text null,
        details jsonb not null default '{}',
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint job_runs_trigger_check check (trigger in ('SCHEDULE', 'CLI')),
        constraint job_runs_status_check check (status in ('RUNNING', 'SUCCEEDED', 'FAILED')),
        constraint job_runs_finished_check check ((status = 'RUNNING') = (finished_at is null) and finished_at >= started_at),
        constraint job_runs_error_check check (status <> 'FAILED' or error is not null),
        constraint job_runs_rows_check check (rows_affected >= 0),
        constraint job_runs_details_object_check check (jsonb_typeof(details) = 'object'),
        constraint job_runs_timestamps_check check (updated_at >= created_at)
      )`);
    this.addSql(`create index job_runs_name_created_idx on job_runs (job_name, created_at)`);
  }
}
