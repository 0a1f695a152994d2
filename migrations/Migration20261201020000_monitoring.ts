import { Migration } from '@mikro-orm/migrations';

export class Migration20261201020000_monitoring extends Migration {
  override async up(): Promise<void> {
    // Lets events reference (attempt, student) with one foreign key, so an event can never
    // name a student other than its attempt's.
    this.addSql(`alter table exam_attempts add constraint exam_attempts_id_student_unique unique (id, student_id)`);
    this.addSql(`alter table exam_attempts add column flag_severity text null`);
    this.addSql(`
      alter table exam_attempts add constraint exam_attempts_flag_severity_check
        check (flag_severity in ('WARNING', 'CRITICAL') and flagged or flag_severity is null)`);

    // Partitioned by the month the attempt started (copied onto each event by the server):
    // every event of an attempt lands in one partition, so the key (attempt, event id,
    // partition key) deduplicates a retried event whatever timestamp the client sends, and
    // every unique key starts with the attempt, so the table can be distributed by attempt.
    this.addSql(`
      create table monitoring_events (
        id uuid not null default gen_random_uuid(),
        attempt_id uuid not null,
        attempt_started_at timestamptz not null,
        student_id uuid not null,
        event_id varchar(64) not null,
        event_type varchar(64) not null,
        severity text not null,
        payload jsonb not null default '{}',
        is_anomaly boolean not null default false,
        anomaly_score real null,
        description text null,
        client_timestamp timestamptz not null,
        server_timestamp timestamptz not null default now(),
        constraint monitoring_events_pkey primary key (attempt_id, event_id, attempt_started_at),
        constraint monitoring_events_attempt_fkey foreign key (attempt_id, student_id)
          references exam_attempts (id, student_id) on delete cascade,
        constraint monitoring_events_event_id_check check (length(event_id) between 1 and 64),
        constraint monitoring_events_type_check check (event_type ~ '^[a-z][a-z0-9_]{0,63}$'),
        constraint monitoring_events_severity_check check (severity in ('NORMAL', 'WARNING', 'CRITICAL')),
        constraint monitoring_events_payload_object_check check (jsonb_typeof(payload) = 'object'),
        constraint monitoring_events_anomaly_score_check check (anomaly_score between 0 and 1)
      ) partition by range (attempt_started_at)`);
    // An attempt's timeline, a student's events over time, anomalies, payload containment.
    this.addSql(`create index monitoring_events_timeline_idx on monitoring_events (attempt_id, client_timestamp, id)`);
    this.addSql(`create index monitoring_events_student_idx on monitoring_events (student_id, client_timestamp)`);
    this.addSql(`create index monitoring_events_anomaly_idx on monitoring_events (attempt_id, client_timestamp) where is_anomaly`);
    this.addSql(`create index monitoring_events_payload_idx on monitoring_events using gin (payload jsonb_path_ops)`);

    // The flag log: a transactional outbox read as "everything after seq N". The head row is
    // taken (row-locked) by each append until its transaction ends, so seqs are gap-free and
    // commit in order.
    this.addSql(`create table student_flag_log_head (only_row boolean primary key default true check (only_row), seq bigint not null)`);
    this.addSql(`insert into student_flag_log_head (seq) values (0)`);
    this.addSql(`
      create table student_flag_events (
        seq bigint primary key,
        student_id uuid not null references users (id),
        attempt_id uuid not null references exam_attempts (id),
        exam_id uuid not null references exams (id),
        reason text not null,
        severity text not null,
        details jsonb not null default '{}',
        created_at timestamptz not null default now(),
        constraint student_flag_events_seq_check check (seq >= 1),
        constraint student_flag_events_reason_check check (reason in ('CRITICAL_EVENT', 'ANOMALIES', 'ANALYSIS')),
        constraint student_flag_events_severity_check check (severity in ('WARNING', 'CRITICAL')),
        constraint student_flag_events_details_object_check check (jsonb_typeof(details) = 'object')
      )`);
    this.addSql(`create index student_flag_events_attempt_idx on student_flag_events (attempt_id, seq)`);
    this.addSql(`create index student_flag_events_student_idx on student_flag_events (student_id, seq)`);
  }
}
