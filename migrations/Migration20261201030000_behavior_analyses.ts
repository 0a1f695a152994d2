import { Migration } from '@mikro-orm/migrations';

export class Migration20261201030000_behavior_analyses extends Migration {
  override async up(): Promise<void> {
    // One analysis per attempt, from the scoring service after (or during) it; resending
    // replaces it. Event totals are counted by the server from monitoring_events.
    this.addSql(`
      create table behavior_analyses (
        id uuid primary key,
        attempt_id uuid not null,
        student_id uuid not null,
        total_events integer not null default 0,
        anomaly_count integer not null default 0,
        critical_count integer not null default 0,
        integrity_score numeric(5, 4) not null,
        originality_indicators jsonb not null default '{}',
        lmi_score numeric(5, 4) null,
        improvement_trend numeric(5, 4) null,
        dropout_label text null,
        dropout_confidence numeric(5, 4) null,
        llm_summary text null,
        llm_recommendations text[] not null default '{}',
        llm_model_version varchar(128) null,
        requires_instructor_attention boolean not null default false,
        requires_recap boolean not null default false,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint behavior_analyses_attempt_unique unique (attempt_id),
        constraint behavior_analyses_attempt_fkey foreign key (attempt_id, student_id)
          references exam_attempts (id, student_id) on delete cascade,
        constraint behavior_analyses_counts_check check (total_events >= 0 and anomaly_count between 0 and total_events
                                                          and critical_count between 0 and total_events),
        constraint behavior_analyses_integrity_check check (integrity_score between 0 and 1),
        constraint behavior_analyses_lmi_check check (lmi_score between 0 and 1),
        constraint behavior_analyses_trend_check check (improvement_trend between -1 and 1),
        constraint behavior_analyses_dropout_label_check check (dropout_label in ('SAFE', 'AT_RISK', 'HIGH_RISK')),
        constraint behavior_analyses_dropout_confidence_check check (dropout_confidence between 0 and 1),
        constraint behavior_analyses_originality_object_check check (jsonb_typeof(originality_indicators) = 'object'),
        constraint behavior_analyses_timestamps_check check (updated_at >= created_at)
      )`);
    this.addSql(`create index behavior_analyses_student_idx on behavior_analyses (student_id)`);
    this.addSql(`create index behavior_analyses_attention_idx on behavior_analyses (student_id) where requires_instructor_attention`);
  }
}
