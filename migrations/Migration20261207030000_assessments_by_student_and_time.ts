import { Migration } from '@mikro-orm/migrations';

export class Migration20261207030000_assessments_by_student_and_time extends Migration {
  override async up(): Promise<void> {
    // A teacher's or a student's assessmentStats reads their students' assessments from this
    // index alone (an index-only scan per student, with the score for the metrics), instead
    // of the whole table: at 2 million assessments, a teacher's COHORT×MONTH statistics went
    // from a scan of the table to the 4 % of rows they may see (bench/README.md, issue 18).
    this.addSql(`create index skill_assessments_student_time_idx on skill_assessments (student_id, created_at) include (score)`);
  }
}
