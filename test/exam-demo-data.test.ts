import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../src/db/migrator';
import { ormConfig } from '../src/db/orm-config';
import { seedDemoData } from '../src/db/seed';
import { DEMO_PASSWORD } from './support/constants';
import { createEmptyDatabase, createTestDatabase, type TestDatabase } from './support/database';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.drop());

/** Stored aggregates that differ from a recomputation over the attempts: must be none. */
const DRIFT = `
  with truth as (
    select u.id as student_id,
           count(a.id) filter (where a.status = 'COMPLETED') as total,
           count(a.id) filter (where a.status = 'COMPLETED' and a.passed) as passed,
           round(avg(a.percentage) filter (where a.status = 'COMPLETED'), 2) as average,
           round(avg(a.integrity_score) filter (where a.status = 'COMPLETED'), 4) as integrity,
           bool_or(a.flagged) filter (where a.status = 'COMPLETED') as any_flagged
      from users u left join exam_attempts a on a.student_id = u.id
     where u.role = 'STUDENT' group by u.id)
  select t.student_id from truth t
    join performance_metrics m on m.student_id = t.student_id
    join student_profiles p on p.user_id = t.student_id
   where m.total_attempts <> t.total or m.passed_attempts <> t.passed
      or m.average_score is distinct from t.average or m.average_integrity is distinct from t.integrity
      or p.attempts_completed <> t.total or p.attempts_passed <> t.passed
      or p.cumulative_integrity is distinct from t.integrity or p.flagged_for_review <> coalesce(t.any_flagged, false)`;

describe('the exam demo data', () => {
  it('teacher K has four published exams, all for cohort-K', async () => {
    const rows = await db.sql(`
      select u.username, count(*)::int as exams, bool_and(e.is_published) as published
        from exams e join users u on u.id = e.creator_id group by u.username order by u.username`);
    expect(rows).toEqual([1, 2, 3, 4, 5].map((k) => ({ username: `teacher${k}`, exams: 4, published: true })));
  });

  it('demo exams allow 3 attempts without review, and every student has attempts left on each', async () => {
    const [settings] = await db.sql(`select array_agg(distinct max_attempts) as max, array_agg(distinct allow_review) as review from exams`);
    expect(settings).toEqual({ max: [3], review: [false] });
    const [most] = await db.sql(`select max(n)::int as n from (select count(*) as n from exam_attempts group by exam_id, student_id) pairs`);
    expect(most.n).toBeLessThan(3);
  });

  it('every student has one to three completed attempts, on their own cohort’s exams only', async () => {
    const rows = await db.sql(`
      select u.username, count(a.id) filter (where a.status = 'COMPLETED')::int as completed,
             bool_and(sp.cohort = any (tp.cohorts_taught)) as own_cohort
        from users u join student_profiles sp on sp.user_id = u.id
        left join exam_attempts a on a.student_id = u.id
        left join exams e on e.id = a.exam_id left join teacher_profiles tp on tp.user_id = e.creator_id
       where u.role = 'STUDENT' group by u.username`);
    expect(rows).toHaveLength(50);
    for (const row of rows) {
      expect(row.completed as number, String(row.username)).toBeGreaterThanOrEqual(1);
      expect(row.completed as number, String(row.username)).toBeLessThanOrEqual(3);
      expect(row.own_cohort, String(row.username)).toBe(true);
    }
  });

  it('some attempts are flagged, some HIGH_RISK, and a few are in progress', async () => {
    const [row] = await db.sql(`
      select count(*) filter (where flagged)::int as flagged, count(*) filter (where dropout_label = 'HIGH_RISK')::int as high_risk,
             count(*) filter (where status = 'IN_PROGRESS')::int as in_progress from exam_attempts`);
    expect(row.flagged as number).toBeGreaterThan(0);
    expect(row.high_risk as number).toBeGreaterThan(0);
    expect(row.in_progress).toBe(5);
  });

  it('teacher1 grants teacher2 canView on exactly one of teacher1’s exams', async () => {
    const rows = await db.sql(`
      select t.username as teacher, c.username as creator, g.can_view, g.can_edit, g.can_view_analytics, b.username as granted_by
        from teacher_exam_permissions g join users t on t.id = g.teacher_id join exams e on e.id = g.exam_id
        join users c on c.id = e.creator_id join users b on b.id = g.granted_by_id`);
    expect(rows).toEqual([{ teacher: 'teacher2', creator: 'teacher1', can_view: true, can_edit: false, can_view_analytics: false, granted_by: 'teacher1' }]);
  });

  it('the denormalised rows agree with the attempts', async () => {
    expect(await db.sql(DRIFT)).toEqual([]);
    const [counts] = await db.sql(`select (select count(*) from performance_metrics)::int as metrics, (select count(*) from users where role = 'STUDENT')::int as students`);
    expect(counts.metrics).toBe(counts.students);
  });

  it('is the same on every run (seeded generator): same exam and attempt ids and results', async () => {
    const fresh = await createEmptyDatabase();
    const orm = await MikroORM.init(ormConfig({ clientUrl: fresh.url }));
    try {
      await migrate(orm);
      await seedDemoData(orm.em.fork(), DEMO_PASSWORD);
      const fingerprint = `select md5(string_agg(a.id || ':' || a.exam_id || ':' || coalesce(a.percentage::text, '-') || ':' || coalesce(a.dropout_label, '-'), ',' order by a.id)) as f from exam_attempts a`;
      expect((await fresh.sql(fingerprint))[0].f).toBe((await db.sql(fingerprint))[0].f);
    } finally {
      await orm.close(true);
      await fresh.drop();
    }
  });
});
