import { Migration } from '@mikro-orm/migrations';

export class Migration20261202000000_flag_events_by_exam extends Migration {
  override async up(): Promise<void> {
    // alerts and flaggedStudents are scoped by exam: a teacher's few exams are read through
    // this index (pages newest first, and counts) instead of scanning the whole log.
    this.addSql(`create index student_flag_events_exam_idx on student_flag_events (exam_id, seq)`);
  }
}
