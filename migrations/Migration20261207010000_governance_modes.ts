import { Migration } from '@mikro-orm/migrations';

/**
 * Governance modes (issue 17): an admin-managed list of how much the AI may decide on its
 * own, which workflow executions and LLM calls may be tagged with when they start.
 *
 * - `governance_modes`: a stable `key` (lowercase letters, digits, `-`, `_`; 2-50, starting
 *   with a letter), unique; `retired_at` set once, never cleared (a retired mode stays for
 *   history and tags no new work: the API refuses it at the start, inside the start's
 *   transaction, holding the mode row `for share` against a concurrent retire).
 * - `mode_id` on `workflow_executions` and `llm_audit_trails`: nullable, a foreign key that
 *   refuses deleting a mode that tags anything. Set at insert, immutable afterwards: the
 *   trigger `assay_mode_immutable` refuses any update that changes it (whoever writes), and
 *   no GraphQL patch exposes it. Inserts are not checked here (a restore must be able to
 *   write rows tagged with modes retired since).
 * - Indexes `(mode_id, started_at)` and `(mode_id, called_at)` serve
 *   governanceModeDistribution's group by over a time range.
 */
export class Migration20261207010000_governance_modes extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table governance_modes (
        id uuid primary key,
        key varchar(50) not null,
        name varchar(200) not null,
        description text not null default '',
        retired_at timestamptz,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint governance_modes_key_unique unique (key),
        constraint governance_modes_key_check check (key ~ '^[a-z][a-z0-9_-]{1,49}$'),
        constraint governance_modes_name_check check (length(trim(name)) > 0),
        constraint governance_modes_description_check check (length(description) <= 2000),
        constraint governance_modes_retired_check check (retired_at is null or retired_at >= created_at),
        constraint governance_modes_timestamps_check check (updated_at >= created_at)
      )`);
    this.addSql(`select assay_track_writes('governance_modes')`);

    this.addSql(`alter table workflow_executions add column mode_id uuid references governance_modes (id) on delete restrict`);
    this.addSql(`alter table llm_audit_trails add column mode_id uuid references governance_modes (id) on delete restrict`);
    this.addSql(`create index workflow_executions_mode_started_idx on workflow_executions (mode_id, started_at)`);
    this.addSql(`create index llm_audit_trails_mode_called_at_idx on llm_audit_trails (mode_id, called_at)`);

    this.addSql(`
      create function assay_mode_immutable() returns trigger language plpgsql set search_path from current as $$
      begin
        if new.mode_id is distinct from old.mode_id then
          raise exception 'the governance mode of a % row is set when it starts and cannot change', tg_table_name
            using errcode = 'check_violation', constraint = tg_table_name || '_mode_immutable';
        end if;
        return new;
      end $$`);
    this.addSql(`create trigger workflow_executions_mode_immutable before update of mode_id on workflow_executions
      for each row execute function assay_mode_immutable()`);
    this.addSql(`create trigger llm_audit_trails_mode_immutable before update of mode_id on llm_audit_trails
      for each row execute function assay_mode_immutable()`);

    // A retired mode stays retired: retired_at is set once.
    this.addSql(`
      create function assay_mode_retired_once() returns trigger language plpgsql set search_path from current as $$
      begin
        if old.retired_at is not null and new.retired_at is distinct from old.retired_at then
          raise exception 'governance mode % is retired; it cannot be brought back or retired again', old.key
            using errcode = 'check_violation', constraint = 'governance_modes_retired_once';
        end if;
        if new.key <> old.key then
          raise exception 'a governance mode key is a stable identifier and cannot change'
            using errcode = 'check_violation', constraint = 'governance_modes_key_immutable';
        end if;
        return new;
      end $$`);
    this.addSql(`create trigger governance_modes_retired_once before update on governance_modes
      for each row execute function assay_mode_retired_once()`);
  }
}
