import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import type { RequiredEntityData } from '@mikro-orm/core';
import { Client } from 'pg';
import { hashPassword } from '../../src/auth/passwords';
import { migrate } from '../../src/db/migrator';
import { ormConfig } from '../../src/db/orm-config';
import { buildExam, completedAttempt, insertInChunks, type GeneratedExam } from '../../src/db/seed/exam-builders';
import { intBelow, seededRng, uuidFrom } from '../../src/db/seed/prng';
import { ExamAttempt, StudentProfile, TeacherProfile, User } from '../../src/entities';
import { Role } from '../../src/entities/role';
import { refreshStudentAggregates } from '../../src/services/exams/aggregates';
import { BENCH_DATABASE_URL, BENCH_PASSWORD, SIZES, benchEmail } from './common';

/*
 * Builds the exam benchmark database from scratch: drops and recreates it, migrates, and
 * bulk-inserts teachers, students, exams and completed attempts (judged by the same code
 * as submitAttempt), then rebuilds every student's aggregates and analyzes the tables.
 * Deterministic: the same seed gives the same rows.
 */

const SUBJECTS = ['Mathematics', 'Science', 'Literature', 'History', 'Geography', 'Physics', 'Chemistry', 'Biology'];
const DAY = 86_400_000;

async function recreate(url: string) {
  const target = new URL(url);
  const name = target.pathname.slice(1);
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unexpected database name ${name}`);
  target.pathname = '/postgres';
  const admin = new Client({ connectionString: target.toString() });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  await admin.end();
}

export const timed = async <T>(label: string, work: () => Promise<T>): Promise<T> => {
  const start = Date.now();
  const result = await work();
  process.stdout.write(`${label}: ${((Date.now() - start) / 1000).toFixed(1)} s\n`);
  return result;
};

/** Recreates `databaseUrl` with the exam benchmark's rows; the monitoring benchmark builds on it. */
export async function generateExamData(databaseUrl: string) {
  const rng = seededRng(5_000_200);
  await recreate(databaseUrl);
  const orm = await MikroORM.init(ormConfig({ clientUrl: databaseUrl }));
  try {
    await migrate(orm);
    const em = orm.em.fork();
    // One hash for every bench account: 5,000 argon2 hashes would take minutes and prove nothing here.
    const passwordHash = await hashPassword(BENCH_PASSWORD);
    const now = Date.now();
    const roles = { student: Role.STUDENT, teacher: Role.TEACHER, admin: Role.ADMIN };
    const user = (kind: keyof typeof roles, n: number): RequiredEntityData<User> => ({
      id: uuidFrom(rng), email: benchEmail(kind, n), username: `bench-${kind}${n}`, passwordHash, role: roles[kind], isVerified: true,
    });
    const teachers = Array.from({ length: SIZES.teachers }, (_, i) => user('teacher', i + 1));
    const students = Array.from({ length: SIZES.students }, (_, i) => user('student', i + 1));
    const cohortOf = (i: number) => `bench-${(i % SIZES.teachers) + 1}`;

    const perStudent = Math.floor(SIZES.attempts / SIZES.students);
    // Each student cycles through their cohort's exams: allow as many attempts as that takes.
    const maxAttempts = Math.max(1, Math.ceil(perStudent / Math.max(1, Math.floor(SIZES.exams / SIZES.teachers))));
    const exams: GeneratedExam[] = Array.from({ length: SIZES.exams }, (_, i) => {
      const teacher = i % SIZES.teachers;
      const subject = SUBJECTS[Math.floor(i / SIZES.teachers) % SUBJECTS.length];
      return buildExam(rng, { creatorId: teachers[teacher].id as string, title: `${subject} ${i + 1}`, subject, topic: `${subject} unit ${i + 1}`, createdAt: new Date(now - 200 * DAY + i * 60_000), maxAttempts });
    });
    const examsOfCohort = teachers.map((_, t) => exams.filter((_e, i) => i % SIZES.teachers === t));

    const attempts: RequiredEntityData<ExamAttempt>[] = [];
    students.forEach((s, i) => {
      const history = { studentId: s.id as string, ability: 0.2 + 0.75 * rng(), percentages: [] };
      const own = examsOfCohort[i % SIZES.teachers];
      for (let j = 0; j < perStudent; j++) {
        const startedAt = new Date(now - (180 - j * 8) * DAY - intBelow(rng, DAY));
        attempts.push(completedAttempt(rng, own[j % own.length], history, startedAt));
      }
    });

    await timed(`users (${teachers.length + students.length + 1})`, () => insertInChunks(em, User, [user('admin', 1), ...teachers, ...students]));
    await timed('profiles', async () => {
      await insertInChunks(em, TeacherProfile, teachers.map((t, i) => ({ id: uuidFrom(rng), user: t.id as string, department: 'Bench', cohortsTaught: [`bench-${i + 1}`] })));
      await insertInChunks(em, StudentProfile, students.map((s, i) => ({ id: uuidFrom(rng), user: s.id as string, enrollmentId: `BENCH-${i + 1}`, cohort: cohortOf(i) })));
    });
    await timed(`exams (${exams.length})`, () => insertInChunks(em, 'Exam', exams.map((e) => e.row)));
    await timed(`attempts (${attempts.length})`, () => insertInChunks(em, ExamAttempt, attempts, 1_000));
    await timed('aggregates', async () => {
      const ids = students.map((s) => s.id as string);
      for (let i = 0; i < ids.length; i += 500) await refreshStudentAggregates(em, ids.slice(i, i + 500));
    });
    await timed('analyze', () => em.execute('analyze'));
  } finally {
    await orm.close(true);
  }
}

if (require.main === module) {
  generateExamData(BENCH_DATABASE_URL)
    .then(() => process.stdout.write(`Bench database ready: ${BENCH_DATABASE_URL}\n`))
    .catch((error: unknown) => {
      process.stderr.write(`bench generate: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    });
}
