import { Migration } from '@mikro-orm/migrations';

/**
 * Attempt limits and answer review (issue 11). Unlimited retakes, each returning a score,
 * let a student read an exam's answer key off a few submissions; `max_attempts` bounds
 * them and `allow_review` decides whether per-question results are shown after the last one.
 */
export class Migration20261201010000_exam_attempt_limits extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table exams
        add column max_attempts integer not null default 1,
        add column allow_review boolean not null default false,
        add constraint exams_max_attempts_check check (max_attempts >= 1)`);
    // Exams allowed unlimited retakes until now: raise each one's limit to the most attempts
    // any student already has on it, so no existing row breaks the rule the trigger keeps.
    this.addSql(`
      update exams e set max_attempts = used.most
        from (select exam_id, max(n) as most
                from (select exam_id, count(*) as n from exam_attempts group by exam_id, student_id) pairs
               group by exam_id) used
       where used.exam_id = e.id and used.most > 1`);
    // Every attempt counts, whatever its status: an abandoned one has seen the questions.
    // Concurrent inserts for one (exam, student) take turns on the transaction-scoped lock,
    // and under READ COMMITTED the count after it sees every attempt the others committed.
    // Keyed by (exam, student): apart from the audit chain's one-key lock, and from the jobs'
    // two-key locks unless a hash collides, which would only make the two take turns.
    this.addSql(`
      create function exam_attempts_enforce_max_attempts() returns trigger language plpgsql as $$
      declare
        allowed integer;
        used integer;
      begin
        perform pg_advisory_xact_lock(hashtext(new.exam_id::text), hashtext(new.student_id::text));
        select max_attempts into allowed from exams where id = new.exam_id;
        select count(*) into used from exam_attempts
         where exam_id = new.exam_id and student_id = new.student_id and id <> new.id;
        if used >= allowed then
          raise exception 'exam % allows % attempt(s) per student', new.exam_id, allowed
            using errcode = 'check_violation', constraint = 'exam_attempts_max_attempts_check', table = 'exam_attempts';
        end if;
        return new;
      end $$`);
    this.addSql(`
      create trigger exam_attempts_max_attempts before insert or update of exam_id, student_id on exam_attempts
      for each row execute function exam_attempts_enforce_max_attempts()`);
  }
}
