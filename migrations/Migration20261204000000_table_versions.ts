import { Migration } from '@mikro-orm/migrations';

/**
 * Per-table change counters for the response cache. Every statement that changes a table
 * bumps that table's counter in the writing transaction (statement-level triggers, so a
 * batch of a thousand rows costs one bump), whoever writes: the server, the CLI or plain
 * SQL. A cached answer records the counters of the tables it read and is reused only while
 * they are unchanged.
 *
 * Each backend bumps its own row (keyed by pg_backend_pid()), so concurrent writers never
 * wait on each other's counter row or deadlock over it; a table's version is the sum of its
 * rows, which only grows. The compaction job folds the rows of ended backends into row 0.
 * A statement that changes no row bumps nothing (transition tables), so conditional
 * touches such as an API key's last use, or a flag CTE that flags no one, stay free.
 */
export class Migration20261204000000_table_versions extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table table_versions (
      table_name text not null,
      backend int not null,
      version bigint not null check (version > 0),
      primary key (table_name, backend)
    )`);
    this.addSql(`
      create function assay_note_write(relation text) returns void language sql as $$
        insert into table_versions as v (table_name, backend, version) values (relation, pg_backend_pid(), 1)
        on conflict (table_name, backend) do update set version = v.version + 1
      $$`);
    // tg_argv[0] names the table a partition counts as.
    this.addSql(`
      create function assay_table_written() returns trigger language plpgsql as $$
      begin
        if tg_op <> 'TRUNCATE' then
          if not exists (select from changed) then return null; end if;
        end if;
        perform assay_note_write(coalesce(tg_argv[0], tg_table_name));
        return null;
      end $$`);
    this.addSql(`
      create function assay_track_writes(relation regclass, counted_as text default null) returns void language plpgsql as $$
      declare
        args text := coalesce(quote_literal(counted_as), '');
      begin
        execute format('create or replace trigger assay_version_insert after insert on %s referencing new table as changed for each statement execute function assay_table_written(%s)', relation, args);
        execute format('create or replace trigger assay_version_update after update on %s referencing new table as changed for each statement execute function assay_table_written(%s)', relation, args);
        execute format('create or replace trigger assay_version_delete after delete on %s referencing old table as changed for each statement execute function assay_table_written(%s)', relation, args);
        execute format('create or replace trigger assay_version_truncate after truncate on %s for each statement execute function assay_table_written(%s)', relation, args);
      end $$`);
    this.addSql(`
      do $$
      declare
        t record;
      begin
        for t in
          select c.oid::regclass as relation, parent.relname::text as counted_as
            from pg_class c
            left join pg_inherits i on i.inhrelid = c.oid
            left join pg_class parent on parent.oid = i.inhparent
           where c.relnamespace = current_schema()::regnamespace and c.relkind in ('r', 'p')
             and c.relname not in ('table_versions', 'mikro_orm_migrations')
        loop
          perform assay_track_writes(t.relation, t.counted_as);
        end loop;
      end $$`);
  }
}
