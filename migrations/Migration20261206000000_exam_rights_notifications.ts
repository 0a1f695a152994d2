import { Migration } from '@mikro-orm/migrations';

/**
 * Teachers' rights on an exam (its creator, its grants) announce their changes on
 * `assay_access` as `exam:<id>`, as credentials do (access_notifications): live deliveries
 * keep those rights in memory and forget an exam's when it is named. A grant moved to
 * another exam names both.
 */
export class Migration20261206000000_exam_rights_notifications extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create function assay_exam_rights_changed() returns trigger language plpgsql as $$
      begin
        if tg_op <> 'INSERT' then perform pg_notify('assay_access', 'exam:' || (to_jsonb(old) ->> tg_argv[0])); end if;
        if tg_op <> 'DELETE' then perform pg_notify('assay_access', 'exam:' || (to_jsonb(new) ->> tg_argv[0])); end if;
        return null;
      end $$`);
    this.addSql(`create trigger teacher_exam_permissions_access after insert or update or delete on teacher_exam_permissions
      for each row execute function assay_exam_rights_changed('exam_id')`);
    this.addSql(`create trigger exams_access after update of creator_id or delete on exams
      for each row execute function assay_exam_rights_changed('id')`);
  }
}
