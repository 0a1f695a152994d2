import { Migration } from '@mikro-orm/migrations';

export class Migration20261121000000_foundation extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table users (
        id uuid primary key,
        email varchar(320) not null,
        username varchar(64) not null,
        password_hash varchar(255) not null,
        role text not null,
        is_active boolean not null default true,
        is_verified boolean not null default false,
        locked_at timestamptz null,
        last_login_at timestamptz null,
        last_login_ip varchar(64) null,
        metadata jsonb not null default '{}',
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint users_role_check check (role in ('STUDENT', 'TEACHER', 'ADMIN', 'AUDITOR')),
        constraint users_email_lower_check check (email = lower(email) and email like '_%@_%'),
        constraint users_username_check check (username ~ '^[A-Za-z0-9_.-]{3,64}$'),
        constraint users_metadata_object_check check (jsonb_typeof(metadata) = 'object'),
        constraint users_timestamps_check check (updated_at >= created_at)
      )`);
    this.addSql(`create unique index users_email_unique on users (lower(email))`);
    this.addSql(`create unique index users_username_unique on users (lower(username))`);
    this.addSql(`create index users_role_idx on users (role)`);

    this.addSql(`
      create table student_profiles (
        id uuid primary key,
        user_id uuid not null references users (id) on delete cascade,
        enrollment_id varchar(64) not null,
        cohort varchar(64) not null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint student_profiles_user_unique unique (user_id),
        constraint student_profiles_enrollment_unique unique (enrollment_id),
        constraint student_profiles_cohort_check check (length(cohort) > 0),
        constraint student_profiles_timestamps_check check (updated_at >= created_at)
      )`);
    this.addSql(`create index student_profiles_cohort_idx on student_profiles (cohort)`);

    this.addSql(`
      create table teacher_profiles (
        id uuid primary key,
        user_id uuid not null references users (id) on delete cascade,
        department varchar(128) null,
        cohorts_taught text[] not null default '{}',
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint teacher_profiles_user_unique unique (user_id),
        constraint teacher_profiles_timestamps_check check (updated_at >= created_at)
      )`);
    this.addSql(`create index teacher_profiles_cohorts_idx on teacher_profiles using gin (cohorts_taught)`);

    this.addSql(`
      create table auth_sessions (
        id uuid primary key,
        user_id uuid not null references users (id) on delete cascade,
        created_at timestamptz not null default now(),
        revoked_at timestamptz null,
        revoked_reason varchar(32) null,
        ip varchar(64) null,
        user_agent varchar(512) null
      )`);
    this.addSql(`create index auth_sessions_user_idx on auth_sessions (user_id)`);

    this.addSql(`
      create table refresh_tokens (
        jti uuid primary key,
        session_id uuid not null references auth_sessions (id) on delete cascade,
        expires_at timestamptz not null,
        used_at timestamptz null,
        created_at timestamptz not null default now()
      )`);
    this.addSql(`create index refresh_tokens_session_idx on refresh_tokens (session_id)`);

    this.addSql(`
      create table revoked_access_tokens (
        jti uuid primary key,
        expires_at timestamptz not null
      )`);
    this.addSql(`create index revoked_access_tokens_expires_idx on revoked_access_tokens (expires_at)`);

    this.addSql(`
      create table api_keys (
        id uuid primary key,
        owner_id uuid not null references users (id) on delete cascade,
        name varchar(100) not null,
        prefix varchar(16) not null,
        key_hash char(64) not null,
        scopes text[] not null,
        expires_at timestamptz null,
        last_used_at timestamptz null,
        revoked_at timestamptz null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint api_keys_key_hash_unique unique (key_hash),
        constraint api_keys_name_check check (length(trim(name)) > 0),
        constraint api_keys_scopes_check check (
          cardinality(scopes) > 0
          and scopes <@ array['read', 'events:write', 'analysis:write', 'assessments:write', 'subscribe']::text[]
        ),
        constraint api_keys_timestamps_check check (updated_at >= created_at)
      )`);
    this.addSql(`create index api_keys_owner_idx on api_keys (owner_id)`);

    // Failed-login counters for rate-limiter-flexible (RateLimiterPostgres); shared by every instance.
    this.addSql(`
      create table login_failures (
        key varchar(255) primary key,
        points integer not null default 0,
        expire bigint
      )`);
  }
}
