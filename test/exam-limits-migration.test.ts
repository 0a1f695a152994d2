import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ormConfig } from '../src/db/orm-config';
import { createEmptyDatabase, type TestDatabase } from './support/database';

let db: TestDatabase;
let orm: MikroORM;

beforeAll(async () => {
  db = await createEmptyDatabase();
  orm = await MikroORM.init(ormConfig({ clientUrl: db.url }));
});
afterAll(async () => {
  await orm?.close(true);
  await db?.drop();
});

const attempts = (exam: string, student: string, n: number) =>
  Array.from({ length: n }, () => `(gen_random_uuid(), '${exam}', '${student}', 'ABANDONED', 10)`).join(', ');

describe('the attempt-limits migration on a database with retakes', () => {
  it('gives each existing exam the most attempts a student already has on it (at least 1), and then holds it', async () => {
    await orm.getMigrator().up({ to: 'Migration20261121040000_exams' });
    const [t, s1, s2, retaken, once, untaken] = Array.from({ length: 6 }, () => crypto.randomUUID());
    await db.sql(`
      insert into users (id, email, username, password_hash, role) values
        ('${t}', 't@example.edu', 'teacher', 'x', 'TEACHER'), ('${s1}', 's1@example.edu', 'student1', 'x', 'STUDENT'),
        ('${s2}', 's2@example.edu', 'student2', 'x', 'STUDENT');
      insert into exams (id, creator_id, title, subject, max_score, duration_minutes, passing_score) values
        ('${retaken}', '${t}', 'Retaken', 'Maths', 10, 20, 5), ('${once}', '${t}', 'Once', 'Maths', 10, 20, 5),
        ('${untaken}', '${t}', 'Untaken', 'Maths', 10, 20, 5);
      insert into exam_attempts (id, exam_id, student_id, status, max_score) values
        ${attempts(retaken, s1, 4)}, ${attempts(retaken, s2, 2)}, ${attempts(once, s1, 1)}`);

    await orm.getMigrator().up();
    const rows = await db.sql(`select title, max_attempts, allow_review from exams order by title`);
    expect(rows).toEqual([
      { title: 'Once', max_attempts: 1, allow_review: false },
      { title: 'Retaken', max_attempts: 4, allow_review: false },
      { title: 'Untaken', max_attempts: 1, allow_review: false },
    ]);
    await db.sql(`insert into exam_attempts (id, exam_id, student_id, status, max_score) values ${attempts(retaken, s2, 2)}`);
    await expect(db.sql(`insert into exam_attempts (id, exam_id, student_id, status, max_score) values ${attempts(retaken, s1, 1)}`)).rejects.toThrow(
      /allows 4 attempt\(s\) per student/,
    );
  });
});
