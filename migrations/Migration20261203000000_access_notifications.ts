import { Migration } from '@mikro-orm/migrations';

/**
 * Every change that can end or alter a caller's access announces itself on the channel
 * `assay_access`, from the writing transaction (so at commit, and whoever writes: the
 * server, the CLI or plain SQL). Instances keep accepted credentials in memory and forget
 * the ones a notification names; the tables stay the truth.
 */
export class Migration20261203000000_access_notifications extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create function assay_access_changed() returns trigger language plpgsql as $$
      declare
        changed jsonb := to_jsonb(case when tg_op = 'DELETE' then old else new end);
      begin
        perform pg_notify('assay_access', tg_argv[0] || ':' || (changed ->> tg_argv[1]));
        return null;
      end $$`);
    this.addSql(`create trigger users_access after update or delete on users
      for each row execute function assay_access_changed('user', 'id')`);
    this.addSql(`create trigger teacher_profiles_access after insert or update or delete on teacher_profiles
      for each row execute function assay_access_changed('user', 'user_id')`);
    this.addSql(`create trigger auth_sessions_access after update or delete on auth_sessions
      for each row execute function assay_access_changed('session', 'id')`);
    this.addSql(`create trigger revoked_access_tokens_access after insert on revoked_access_tokens
      for each row execute function assay_access_changed('jti', 'jti')`);
    // Not on last_used_at: that is touched while a key is in use and changes no one's rights.
    this.addSql(`create trigger api_keys_access after update of owner_id, key_hash, scopes, expires_at, revoked_at or delete on api_keys
      for each row execute function assay_access_changed('key', 'id')`);
  }
}
