import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateUserDocument, MeDocument, StudentsDocument, UserByIdDocument, UsersDocument } from './generated/graphql';
import type { Context } from '../src/context';
import { PerformanceMetrics, StudentProfile, User } from '../src/entities';
import { createLoaders } from '../src/loaders';
import { canSeeMetrics } from '../src/permissions/exam.rules';
import { canSeeStudentProfile, canSeeUser } from '../src/permissions/user.rules';
import { codeOf, startTestApp, type TestApp } from './support/app';
import { sql } from './support/assessments';

let app: TestApp;
let ids: Record<string, string>;

beforeAll(async () => {
  app = await startTestApp();
  const admin = await app.login('admin@example.edu');
  const all = await app.gql(UsersDocument, { first: 100 }, { token: admin });
  ids = Object.fromEntries(all.data!.users.edges.map((e) => [e.node.email.split('@')[0], e.node.id]));
});
afterAll(() => app?.stop());

const emailsOf = (result: { data: { students: { edges: { node: { email: string } }[] } } | null }) =>
  result.data!.students.edges.map((e) => e.node.email).sort();

describe('a student', () => {
  let token: string;
  beforeAll(async () => {
    token = await app.login('student1@example.edu');
  });

  it('sees only themself in students, whatever the cohort asked for', async () => {
    const own = await app.gql(StudentsDocument, {}, { token });
    expect(emailsOf(own)).toEqual(['student1@example.edu']);
    const other = await app.gql(StudentsDocument, { cohort: 'cohort-2' }, { token });
    expect(other.data!.students.totalCount).toBe(0);
  });

  it('cannot read another student by id (same cohort or not)', async () => {
    for (const name of ['student6', 'student2']) {
      const result = await app.gql(UserByIdDocument, { id: ids[name] }, { token });
      expect(codeOf(result)).toBe('NOT_FOUND');
      expect(JSON.stringify(result)).not.toContain(`${name}@`);
    }
  });

  it('gets BAD_USER_INPUT, not an internal error, for a malformed id', async () => {
    const result = await app.gql(UserByIdDocument, { id: 'not-a-uuid' }, { token });
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
  });

  it('cannot list users or create accounts', async () => {
    expect(codeOf(await app.gql(UsersDocument, {}, { token }))).toBe('FORBIDDEN');
    const create = await app.gql(
      CreateUserDocument,
      { input: { email: 'x@example.edu', username: 'xxx', password: 'long-enough-pw', role: 'ADMIN' } },
      { token },
    );
    expect(codeOf(create)).toBe('FORBIDDEN');
    expect(create.data).toBeNull();
  });
});

describe('a teacher', () => {
  let token: string;
  beforeAll(async () => {
    token = await app.login('teacher1@example.edu');
  });

  it('sees exactly the students of the cohorts they teach', async () => {
    const result = await app.gql(StudentsDocument, { first: 100 }, { token });
    const expected = Array.from({ length: 10 }, (_, i) => `student${i * 5 + 1}@example.edu`).sort();
    expect(emailsOf(result)).toEqual(expected);
    expect(result.data!.students.totalCount).toBe(10);
  });

  it('reads student1 and is refused student2, the admin, and a teacher they share no exam with', async () => {
    const own = await app.gql(UserByIdDocument, { id: ids.student1 }, { token });
    expect(own.data!.user).toMatchObject({ username: 'student1', studentProfile: { cohort: 'cohort-1' } });
    const strangers = await sql<{ email: string }>(app, 
      `select u.email from users u where u.role = 'TEACHER' and u.email <> 'teacher1@example.edu'
          and not exists (select 1 from teacher_exam_permissions g join exams e on e.id = g.exam_id
                           where (e.creator_id = u.id and g.teacher_id = $1) or (e.creator_id = $1 and g.teacher_id = u.id)
                              or (g.granted_by_id = u.id and g.teacher_id = $1))`,
      [ids.teacher1],
    );
    expect(strangers.length).toBeGreaterThan(0);
    for (const name of ['student2', 'admin', ...strangers.map((s) => s.email.split('@')[0])]) {
      expect(codeOf(await app.gql(UserByIdDocument, { id: ids[name] }, { token }))).toBe('NOT_FOUND');
    }
    expect((await app.gql(StudentsDocument, { cohort: 'cohort-2' }, { token })).data!.students.totalCount).toBe(0);
  });

  it('reads by id the teachers an exam grant links them with, as the grant itself shows them', async () => {
    const [linked] = await sql<{ teacher_id: string }>(app, 
      `select g.teacher_id from teacher_exam_permissions g join exams e on e.id = g.exam_id where e.creator_id = $1 and g.teacher_id <> $1 limit 1`,
      [ids.teacher1],
    );
    expect(linked).toBeDefined();
    const result = await app.gql(UserByIdDocument, { id: linked.teacher_id }, { token });
    expect(result.data!.user.id).toBe(linked.teacher_id);
  });

  it('cannot see the private fields of a student', async () => {
    const result = await app.gql('query($id: ID!) { user(id: $id) { id lastLoginIp } }', { id: ids.student1 }, { token });
    expect(codeOf(result)).toBe('FORBIDDEN');
    expect(JSON.stringify(result.data)).not.toContain('127.0.0.1');
  });

  it('pages through students with stable cursors', async () => {
    const first = await app.gql(StudentsDocument, { first: 4 }, { token });
    const second = await app.gql(StudentsDocument, { first: 4, after: first.data!.students.pageInfo.endCursor }, { token });
    const third = await app.gql(StudentsDocument, { first: 4, after: second.data!.students.pageInfo.endCursor }, { token });
    const seen = [first, second, third].flatMap(emailsOf);
    expect(new Set(seen).size).toBe(10);
    expect(third.data!.students.pageInfo.hasNextPage).toBe(false);
    expect(second.data!.students.pageInfo.hasPreviousPage).toBe(true);
    expect(codeOf(await app.gql(StudentsDocument, { after: 'not-a-cursor' }, { token }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await app.gql(StudentsDocument, { first: 1000 }, { token }))).toBe('BAD_USER_INPUT');
  });
});

describe('admins and auditors', () => {
  it('an admin sees every account and creates users of any role', async () => {
    const token = await app.login('admin@example.edu');
    const all = await app.gql(UsersDocument, { first: 1 }, { token });
    expect(all.data!.users.totalCount).toBeGreaterThanOrEqual(57);
    const created = await app.gql(
      CreateUserDocument,
      { input: { email: 'Teacher9@Example.edu', username: 'teacher9', password: 'long-enough-pw', role: 'TEACHER', cohortsTaught: ['cohort-9'] } },
      { token },
    );
    expect(created.errors).toBeUndefined();
    expect(created.data!.createUser).toMatchObject({ email: 'teacher9@example.edu', role: 'TEACHER', teacherProfile: { cohortsTaught: ['cohort-9'] } });
    const bad = await app.gql(
      CreateUserDocument,
      { input: { email: 'y@example.edu', username: 'yyy', password: 'long-enough-pw', role: 'ADMIN', cohort: 'cohort-1' } },
      { token },
    );
    expect(codeOf(bad)).toBe('BAD_USER_INPUT');
  });

  it('an auditor reads every account but cannot change any', async () => {
    const token = await app.login('auditor@example.edu');
    expect((await app.gql(UsersDocument, { filter: { role: 'STUDENT' } }, { token })).data!.users.totalCount).toBe(50);
    const create = await app.gql(
      CreateUserDocument,
      { input: { email: 'z@example.edu', username: 'zzz', password: 'long-enough-pw', role: 'STUDENT' } },
      { token },
    );
    expect(codeOf(create)).toBe('FORBIDDEN');
  });
});

describe('without credentials', () => {
  it('every scoped query is UNAUTHENTICATED and me is null', async () => {
    expect(codeOf(await app.gql(StudentsDocument, {}))).toBe('UNAUTHENTICATED');
    expect(codeOf(await app.gql(UsersDocument, {}))).toBe('UNAUTHENTICATED');
    expect(codeOf(await app.gql(UserByIdDocument, { id: ids.student1 }))).toBe('UNAUTHENTICATED');
    expect((await app.gql(MeDocument, {})).data).toEqual({ me: null });
  });
});

describe('the user row rule, on rows no scope let through', () => {
  it('answers from the one predicate: self, the cohorts taught and exam grants for a teacher, nobody else for a student', async () => {
    const em = app.assay.database.orm.em.fork();
    const verdicts = async (viewerName: string, names: string[]) => {
      const viewer = await em.findOneOrFail(User, { username: viewerName }, { populate: ['teacherProfile'] });
      const loaders = createLoaders(em);
      const cohortsTaught = viewer.teacherProfile?.cohortsTaught ?? [];
      const ctx = { em, viewer: { user: viewer, via: 'session', scopes: null, cohortsTaught }, loaders, visibleRows: new WeakSet() } as Partial<Context>;
      const rows = await em.find(User, { username: { $in: names } });
      const byName = new Map(rows.map((row) => [row.username, row]));
      return Promise.all(names.map((name) => canSeeUser.resolve(byName.get(name)!, {}, { ...ctx, _shield: { cache: {} } }, { path: { prev: undefined } } as never, { debug: true } as never)));
    };
    expect(await verdicts('teacher1', ['teacher1', 'student1', 'student2', 'teacher2', 'admin'])).toEqual([true, true, false, true, false]);
    expect(await verdicts('student1', ['student1', 'student6', 'student2', 'teacher1'])).toEqual([true, false, false, false]);
    expect(await verdicts('auditor', ['student2', 'teacher2', 'admin'])).toEqual([true, true, true]);
  });
});

describe('the student record rules, on rows no scope let through', () => {
  it('answer from studentRecordSql: a profile or metrics row for overseers, the cohort\'s teachers and the student only', async () => {
    const em = app.assay.database.orm.em.fork();
    const [profile1, profile2] = await Promise.all(['student1', 'student2'].map((username) => em.findOneOrFail(StudentProfile, { user: { username } })));
    const metrics2 = await em.findOneOrFail(PerformanceMetrics, { student: profile2.user.id });
    const verdicts = async (rule: typeof canSeeStudentProfile, row: object, names: string[]) =>
      Promise.all(
        names.map(async (username) => {
          const viewer = await em.findOneOrFail(User, { username }, { populate: ['teacherProfile'] });
          const ctx = { em, viewer: { user: viewer, via: 'session', scopes: null, cohortsTaught: viewer.teacherProfile?.cohortsTaught ?? [] }, loaders: createLoaders(em), visibleRows: new WeakSet() } as Partial<Context>;
          return rule.resolve(row, {}, { ...ctx, _shield: { cache: {} } }, { path: { prev: undefined } } as never, { debug: true } as never);
        }),
      );
    expect(profile1.cohort).not.toBe(profile2.cohort);
    expect(await verdicts(canSeeStudentProfile, profile1, ['student1', 'student2', 'teacher1', 'teacher2', 'auditor'])).toEqual([true, false, true, false, true]);
    expect(await verdicts(canSeeMetrics, metrics2, ['student2', 'student1', 'teacher2', 'teacher1', 'admin'])).toEqual([true, false, true, false, true]);
  });
});
