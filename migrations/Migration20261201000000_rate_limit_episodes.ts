import { Migration } from '@mikro-orm/migrations';

export class Migration20261201000000_rate_limit_episodes extends Migration {
  override async up(): Promise<void> {
    // One row per spell of a limit (an account, an address) being used up: refused attempts
    // are counted here instead of each writing an audit entry; the entry is written when the
    // spell begins and, with the count, when it ends.
    this.addSql(`
      create table rate_limit_episodes (
        id uuid primary key default gen_random_uuid(),
        limit_name varchar(32) not null,
        key char(64) not null,
        subject varchar(254) not null,
        started_at timestamptz not null default now(),
        ends_at timestamptz not null,
        refused integer not null default 1,
        reported_at timestamptz null,
        constraint rate_limit_episodes_limit_check check (limit_name in ('LOGIN_ACCOUNT', 'LOGIN_ADDRESS', 'REGISTER_ADDRESS')),
        constraint rate_limit_episodes_key_check check (key ~ '^[0-9a-f]{64}$'),
        constraint rate_limit_episodes_refused_check check (refused >= 1),
        constraint rate_limit_episodes_window_check check (ends_at >= started_at)
      )`);
    this.addSql(`create unique index rate_limit_episodes_open_unique on rate_limit_episodes (limit_name, key) where reported_at is null`);
    this.addSql(`create index rate_limit_episodes_unreported_idx on rate_limit_episodes (ends_at) where reported_at is null`);
    // One length rule for e-mails (src/entities/email.ts); IsEmail never let a longer one in.
    this.addSql(`alter table users alter column email type varchar(254)`);
  }
}
