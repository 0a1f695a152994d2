import { Migration } from '@mikro-orm/migrations';

export class Migration20261121000100_audit_log extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table audit_logs (
        id uuid primary key,
        seq bigint not null,
        actor_kind text not null,
        actor_user_id uuid null references users (id),
        actor_api_key_id uuid null references api_keys (id),
        action text not null,
        resource_type text null,
        resource_id text null,
        details jsonb not null default '{}',
        ip text null,
        user_agent text null,
        request_id text null,
        created_at timestamptz not null,
        prev_hash char(64) not null,
        hash char(64) not null,
        constraint audit_logs_seq_unique unique (seq),
        constraint audit_logs_hash_unique unique (hash),
        constraint audit_logs_seq_check check (seq >= 1),
        constraint audit_logs_actor_kind_check check (actor_kind in ('USER', 'API_KEY', 'SYSTEM', 'ANONYMOUS')),
        constraint audit_logs_action_check check (action ~ '^[A-Z][A-Z_]{2,63}$'),
        constraint audit_logs_details_object_check check (jsonb_typeof(details) = 'object'),
        constraint audit_logs_hash_format_check check (hash ~ '^[0-9a-f]{64}$' and prev_hash ~ '^[0-9a-f]{64}$')
      )`);
    this.addSql(`create index audit_logs_created_at_idx on audit_logs (created_at)`);
    this.addSql(`create index audit_logs_actor_user_idx on audit_logs (actor_user_id, seq)`);
    this.addSql(`create index audit_logs_action_idx on audit_logs (action, seq)`);
    this.addSql(`create index audit_logs_resource_idx on audit_logs (resource_type, resource_id, seq)`);

    // Append-only for every role that does not own the table's triggers: edits and
    // deletions must go through a superuser disabling this on purpose, and then the
    // hash chain shows it.
    this.addSql(`
      create function audit_logs_refuse_change() returns trigger language plpgsql as $$
      begin
        raise exception 'audit_logs is append-only (% refused)', tg_op using errcode = 'insufficient_privilege';
      end $$`);
    this.addSql(`
      create trigger audit_logs_append_only before update or delete on audit_logs
      for each row execute function audit_logs_refuse_change()`);
    this.addSql(`
      create trigger audit_logs_no_truncate before truncate on audit_logs
      for each statement execute function audit_logs_refuse_change()`);
  }
}
