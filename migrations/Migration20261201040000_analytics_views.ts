import { Migration } from '@mikro-orm/migrations';

export class Migration20261201040000_analytics_views extends Migration {
  override async up(): Promise<void> {
    // Per exam, over completed attempts. The unique index lets REFRESH … CONCURRENTLY run
    // while readers keep reading the previous contents.
    this.addSql(`
      create materialized view exam_performance_summary as
      select e.id as exam_id,
             count(distinct a.student_id)::int as unique_students,
             count(a.id)::int as attempts,
             round(avg(a.percentage), 2) as average_score,
             round(avg(case when a.passed then 1.0 else 0.0 end), 4) as pass_rate,
             round(avg(a.integrity_score), 4) as average_integrity,
             (count(*) filter (where a.dropout_label = 'HIGH_RISK'))::int as high_risk_count,
             max(a.completed_at) as last_attempt_at
        from exams e left join exam_attempts a on a.exam_id = e.id and a.status = 'COMPLETED'
       group by e.id`);
    this.addSql(`create unique index exam_performance_summary_exam_unique on exam_performance_summary (exam_id)`);

    this.addSql(`
      create materialized view student_risk_summary as
      select sp.user_id as student_id,
             sp.cohort,
             sp.current_dropout_risk as risk,
             sp.cumulative_integrity,
             sp.cumulative_lmi,
             (select count(*) from exam_attempts a where a.student_id = sp.user_id and a.status = 'COMPLETED')::int as attempts,
             (select count(*) from exam_attempts a where a.student_id = sp.user_id and a.flagged)::int as flagged_count,
             (select max(a.completed_at) from exam_attempts a where a.student_id = sp.user_id) as last_attempt_at
        from student_profiles sp`);
    this.addSql(`create unique index student_risk_summary_student_unique on student_risk_summary (student_id)`);
    this.addSql(`create index student_risk_summary_cohort_idx on student_risk_summary (cohort, student_id)`);

    // When each view was last refreshed, and how long it took.
    this.addSql(`
      create table analytics_view_refreshes (
        view_name text primary key,
        refreshed_at timestamptz not null,
        duration_ms integer not null,
        constraint analytics_view_refreshes_name_check check (view_name in ('exam_performance_summary', 'student_risk_summary')),
        constraint analytics_view_refreshes_duration_check check (duration_ms >= 0)
      )`);
    this.addSql(`
      insert into analytics_view_refreshes (view_name, refreshed_at, duration_ms)
      values ('exam_performance_summary', now(), 0), ('student_risk_summary', now(), 0)`);
  }
}
