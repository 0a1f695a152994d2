import { Migration } from '@mikro-orm/migrations';

export class Migration20261202100000_webhooks extends Migration {
  override async up(): Promise<void> {
    // A webhook follows the flag log with its own cursor: `cursor` is the last seq it is done
    // with (acknowledged, given up on, or not for it). The head event's tries are counted here;
    // a lease (lease_token until lease_until) lets one instance at a time work on it.
    this.addSql(`
      create table webhooks (
        id uuid primary key default gen_random_uuid(),
        owner_id uuid not null references users (id) on delete cascade,
        url text not null check (url ~ '^https?://' and length(url) <= 2048),
        description text check (length(description) <= 500),
        filter jsonb not null default '{}' check (jsonb_typeof(filter) = 'object'),
        secret text not null check (secret ~ '^whsec_'),
        active boolean not null default true,
        cursor bigint not null check (cursor >= 0),
        tries int not null default 0 check (tries >= 0),
        next_try_at timestamptz not null default now(),
        lease_token uuid,
        lease_until timestamptz,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`);
    this.addSql(`create index webhooks_owner_idx on webhooks (owner_id)`);
    this.addSql(`create index webhooks_due_idx on webhooks (next_try_at) where active`);
    // One row per event sent (or given up on): what the receiver answered, and when.
    this.addSql(`
      create table webhook_deliveries (
        webhook_id uuid not null references webhooks (id) on delete cascade,
        seq bigint not null,
        status text not null check (status in ('RETRYING', 'DELIVERED', 'FAILED')),
        tries int not null check (tries >= 1),
        last_status_code int,
        last_error text check (length(last_error) <= 500),
        first_tried_at timestamptz not null default now(),
        last_tried_at timestamptz not null default now(),
        delivered_at timestamptz,
        primary key (webhook_id, seq)
      )`);
  }
}
