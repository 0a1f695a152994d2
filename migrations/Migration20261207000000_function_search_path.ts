import { Migration } from '@mikro-orm/migrations';

/** Every function Assay's migrations create, by signature. */
const FUNCTIONS = [
  'audit_logs_refuse_change()',
  'exam_attempts_enforce_max_attempts()',
  'assay_access_changed()',
  'assay_note_write(text)',
  'assay_table_written()',
  'assay_track_writes(regclass, text)',
  'assay_exam_rights_changed()',
];

/**
 * Each function keeps the search_path it was created under. pg_restore (and any client
 * that clears search_path) writes with an empty one, and the trigger functions name
 * tables and each other without a schema: restoring `users` failed with "function
 * assay_note_write(text) does not exist" unless triggers were disabled.
 */
export class Migration20261207000000_function_search_path extends Migration {
  override async up(): Promise<void> {
    for (const fn of FUNCTIONS) this.addSql(`alter function ${fn} set search_path from current`);
  }
}
