import { Migration } from '@mikro-orm/migrations';

export class Migration20261121040000_exams extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table exams (
        id uuid primary key,
        creator_id uuid not null references users (id),
        title varchar(200) not null,
        description text not null default '',
        subject varchar(64) not null,
        topic varchar(128) null,
        max_score numeric(10, 2) not null,
        duration_minutes integer not null,
        passing_score numeric(10, 2) not null,
        is_published boolean not null default false,
        published_at timestamptz null,
        enable_monitoring boolean not null default false,
        enable_integrity_analysis boolean not null default false,
        metadata jsonb not null default '{}',
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint exams_title_check check (length(trim(title)) > 0),
        constraint exams_subject_check check (length(trim(subject)) > 0),
        constraint exams_max_score_check check (max_score > 0),
        constraint exams_passing_score_check check (passing_score >= 0 and passing_score <= max_score),
        constraint exams_duration_check check (duration_minutes between 1 and 1440),
        constraint exams_published_check check (is_published = (published_at is not null)),
        constraint exams_metadata_object_check check (jsonb_typeof(metadata) = 'object'),
        constraint exams_timestamps_check check (updated_at >= created_at)
      )`);
    this.addSql(`create index exams_creator_idx on exams (creator_id, created_at desc, id desc)`);
    this.addSql(`create index exams_created_idx on exams (created_at desc, id desc)`);

    // The creator holds every right implicitly; rows here are grants to other teachers.
    // Editing or reading analytics without viewing makes no sense, so the database refuses it.
    this.addSql(`
      create table teacher_exam_permissions (
        teacher_id uuid not null references users (id) on delete cascade,
        exam_id uuid not null references exams (id) on delete cascade,
        can_view boolean not null default true,
        can_edit boolean not null default false,
        can_view_analytics boolean not null default false,
        granted_by_id uuid not null references users (id),
        granted_at timestamptz not null default now(),
        constraint teacher_exam_permissions_pkey primary key (teacher_id, exam_id),
        constraint teacher_exam_permissions_view_check check (can_view or not (can_edit or can_view_analytics))
      )`);
    this.addSql(`create index teacher_exam_permissions_exam_idx on teacher_exam_permissions (exam_id)`);

    this.addSql(`
      create table exam_attempts (
        id uuid primary key,
        exam_id uuid not null references exams (id) on delete cascade,
        student_id uuid not null references users (id) on delete cascade,
        status text not null default 'IN_PROGRESS',
        score numeric(10, 2) null,
        max_score numeric(10, 2) not null,
        percentage numeric(5, 2) null,
        passed boolean null,
        integrity_score numeric(5, 4) null,
        lmi numeric(5, 4) null,
        dropout_label text null,
        flagged boolean not null default false,
        started_at timestamptz not null default now(),
        completed_at timestamptz null,
        duration_seconds integer null,
        submission_data jsonb not null default '{}',
        metadata jsonb not null default '{}',
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint exam_attempts_status_check check (status in ('IN_PROGRESS', 'COMPLETED', 'ABANDONED')),
        constraint exam_attempts_score_check check (score >= 0 and score <= max_score),
        constraint exam_attempts_max_score_check check (max_score > 0),
        constraint exam_attempts_percentage_check check (percentage between 0 and 100),
        constraint exam_attempts_integrity_check check (integrity_score between 0 and 1),
        constraint exam_attempts_lmi_check check (lmi between 0 and 1),
        constraint exam_attempts_dropout_label_check check (dropout_label in ('SAFE', 'AT_RISK', 'HIGH_RISK')),
        constraint exam_attempts_duration_check check (duration_seconds >= 0),
        constraint exam_attempts_completed_check check (
          (status = 'COMPLETED') = (completed_at is not null and score is not null and percentage is not null
                                    and passed is not null and duration_seconds is not null and dropout_label is not null)
        ),
        constraint exam_attempts_times_check check (completed_at is null or completed_at >= started_at),
        constraint exam_attempts_submission_object_check check (jsonb_typeof(submission_data) = 'object'),
        constraint exam_attempts_metadata_object_check check (jsonb_typeof(metadata) = 'object'),
        constraint exam_attempts_timestamps_check check (updated_at >= created_at)
      )`);
    // One attempt in progress per exam per student; finished attempts may repeat.
    this.addSql(`
      create unique index exam_attempts_one_in_progress on exam_attempts (exam_id, student_id) where status = 'IN_PROGRESS'`);
    // Keyset pages of a student's and of an exam's attempts (newest first).
    this.addSql(`create index exam_attempts_student_idx on exam_attempts (student_id, created_at desc, id desc)`);
    this.addSql(`create index exam_attempts_exam_idx on exam_attempts (exam_id, created_at desc, id desc)`);
    // examAnalytics reads only this index (an index-only scan over one exam's finished attempts).
    this.addSql(`
      create index exam_attempts_analytics_idx on exam_attempts (exam_id, student_id)
        include (percentage, passed, integrity_score, dropout_label, flagged, completed_at)
        where status = 'COMPLETED'`);

    this.addSql(`
      create table performance_metrics (
        id uuid primary key,
        student_id uuid not null references users (id) on delete cascade,
        total_attempts integer not null default 0,
        passed_attempts integer not null default 0,
        average_score numeric(5, 2) null,
        subject_scores jsonb not null default '{}',
        strengths text[] not null default '{}',
        weaknesses text[] not null default '{}',
        average_integrity numeric(5, 4) null,
        integrity_trend numeric(5, 4) null,
        average_lmi numeric(5, 4) null,
        lmi_trend numeric(5, 4) null,
        current_risk_label text null,
        flagged_for_intervention boolean not null default false,
        last_attempt_at timestamptz null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint performance_metrics_student_unique unique (student_id),
        constraint performance_metrics_counts_check check (total_attempts >= 0 and passed_attempts between 0 and total_attempts),
        constraint performance_metrics_average_check check (average_score between 0 and 100),
        constraint performance_metrics_integrity_check check (average_integrity between 0 and 1 and integrity_trend between -1 and 1),
        constraint performance_metrics_lmi_check check (average_lmi between 0 and 1 and lmi_trend between -1 and 1),
        constraint performance_metrics_risk_check check (current_risk_label in ('SAFE', 'AT_RISK', 'HIGH_RISK')),
        constraint performance_metrics_subjects_object_check check (jsonb_typeof(subject_scores) = 'object'),
        constraint performance_metrics_timestamps_check check (updated_at >= created_at)
      )`);
    this.addSql(`
      create index performance_metrics_flagged_idx on performance_metrics (student_id) where flagged_for_intervention`);

    this.addSql(`
      alter table student_profiles
        add column cumulative_integrity numeric(5, 4) null,
        add column cumulative_lmi numeric(5, 4) null,
        add column attempts_completed integer not null default 0,
        add column attempts_passed integer not null default 0,
        add column current_dropout_risk text null,
        add column flagged_for_review boolean not null default false,
        add constraint student_profiles_cumulative_integrity_check check (cumulative_integrity between 0 and 1),
        add constraint student_profiles_cumulative_lmi_check check (cumulative_lmi between 0 and 1),
        add constraint student_profiles_attempt_counts_check check (attempts_completed >= 0 and attempts_passed between 0 and attempts_completed),
        add constraint student_profiles_dropout_risk_check check (current_dropout_risk in ('SAFE', 'AT_RISK', 'HIGH_RISK'))`);
  }
}
