import type { GraphQLResolveInfo } from 'graphql';
import type { EntityManager } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Viewer } from '../src/auth/viewer';
import type { Context } from '../src/context';
import { withQueryCount } from '../src/db/query-counter';
import { ExamAttempt, PerformanceMetrics, User, Exam } from '../src/entities';
import { createLoaders } from '../src/loaders';
import { canSeeMetrics, canViewAttempt, canViewExam } from '../src/permissions/exam.rules';
import { canSeeUser } from '../src/permissions/user.rules';
import { startTestApp, type TestApp } from './support/app';
import { examIdsOf } from './support/exams';

/*
 * Layer two on its own: the per-row rules judge rows handed to them directly, as if a
 * scope had let them slip through, and a page of rows costs one statement.
 */

let app: TestApp;
let em: EntityManager;

type AnyRule = { resolve(parent: unknown, args: unknown, ctx: unknown, info: unknown, options: unknown): Promise<unknown> };
const info = { path: { prev: undefined, key: 'probe', typename: 'Query' } } as unknown as GraphQLResolveInfo;

async function contextFor(username: string): Promise<Context> {
  const fork = em.fork();
  const user = await fork.findOneOrFail(User, { username }, { populate: ['teacherProfile'] });
  const viewer: Viewer = { user, via: 'session', scopes: null, cohortsTaught: user.teacherProfile?.cohortsTaught ?? [] };
  return { em: fork, viewer, loaders: createLoaders(fork), visibleRows: new WeakSet() } as unknown as Context;
}

const check = async (rule: unknown, row: unknown, ctx: Context) => (await (rule as AnyRule).resolve(row, {}, ctx, info, {})) === true;

async function attemptsOf(where: string): Promise<ExamAttempt[]> {
  const rows = await app.db.sql(`select a.id from exam_attempts a join exams e on e.id = a.exam_id join users u on u.id = a.student_id where ${where}`);
  return em.fork().find(ExamAttempt, { id: { $in: rows.map((r) => r.id as string) } });
}

beforeAll(async () => {
  app = await startTestApp();
  em = app.assay.database.orm.em.fork();
});
afterAll(() => app?.stop());

describe('per-row rules, without any scope in front of them', () => {
  it('attempts: a student only their own; a teacher those on exams they may view', async () => {
    const [granted, other] = await examIdsOf(app, 'teacher1');
    const own = await attemptsOf(`u.username = 'student1'`);
    const foreign = await attemptsOf(`u.username = 'student2'`);
    const student = await contextFor('student1');
    for (const a of own) expect(await check(canViewAttempt, a, student)).toBe(true);
    for (const a of foreign) expect(await check(canViewAttempt, a, student)).toBe(false);

    const teacher2 = await contextFor('teacher2');
    const onGranted = await attemptsOf(`e.id = '${granted}'`);
    const onOther = await attemptsOf(`e.id = '${other}'`);
    expect(onGranted.length).toBeGreaterThan(0);
    expect(onOther.length).toBeGreaterThan(0);
    for (const a of onGranted) expect(await check(canViewAttempt, a, teacher2)).toBe(true);
    for (const a of onOther) expect(await check(canViewAttempt, a, teacher2)).toBe(false);
  });

  it('exams: granted or created for teachers; published and of their teacher for students', async () => {
    const [granted, other] = await examIdsOf(app, 'teacher1');
    const [ofCohort2] = await examIdsOf(app, 'teacher2');
    const exams = await em.fork().find(Exam, { id: { $in: [granted, other, ofCohort2] } });
    const byId = (id: string) => exams.find((e) => e.id === id)!;
    const teacher2 = await contextFor('teacher2');
    expect(await check(canViewExam, byId(granted), teacher2)).toBe(true);
    expect(await check(canViewExam, byId(other), teacher2)).toBe(false);
    const student6 = await contextFor('student6');
    expect(await check(canViewExam, byId(other), student6)).toBe(true);
    expect(await check(canViewExam, byId(ofCohort2), student6)).toBe(false);
  });

  it('users met through a grant are visible to the grantee, their other results are not', async () => {
    const [granted] = await examIdsOf(app, 'teacher1');
    const teacher2 = await contextFor('teacher2');
    const [attempted] = await app.db.sql(`select student_id from exam_attempts where exam_id = '${granted}' limit 1`);
    const [notAttempted] = await app.db.sql(`
      select sp.user_id from student_profiles sp where sp.cohort = 'cohort-1'
         and not exists (select 1 from exam_attempts a where a.student_id = sp.user_id and a.exam_id = '${granted}') limit 1`);
    const users = await em.fork().find(User, { username: { $in: ['teacher1', 'teacher3'] } });
    const student = await em.fork().findOneOrFail(User, { id: attempted.student_id as string });
    const bystander = await em.fork().findOneOrFail(User, { id: notAttempted.user_id as string });
    expect(await check(canSeeUser, student, teacher2)).toBe(true);
    expect(await check(canSeeUser, bystander, teacher2)).toBe(false);
    expect(await check(canSeeUser, users.find((u) => u.username === 'teacher1'), teacher2)).toBe(true);
    expect(await check(canSeeUser, users.find((u) => u.username === 'teacher3'), teacher2)).toBe(false);
    const metrics = await em.fork().findOneOrFail(PerformanceMetrics, { student: student.id });
    expect(await check(canSeeMetrics, metrics, teacher2)).toBe(false);
    expect(await check(canSeeMetrics, metrics, await contextFor('teacher1'))).toBe(true);
  });

  it('checking every attempt of the demo data (a page and more) costs one statement', async () => {
    const attempts = await attemptsOf('true');
    expect(attempts.length).toBeGreaterThanOrEqual(90);
    const teacher = await contextFor('teacher3');
    const count = { statements: 0 };
    const verdicts = await withQueryCount(count, () => Promise.all(attempts.map((a) => check(canViewAttempt, a, teacher))));
    expect(count.statements).toBe(1);
    const own = new Set(await examIdsOf(app, 'teacher3'));
    expect(verdicts).toEqual(attempts.map((a) => own.has(a.exam.id)));
  });
});
