import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateExamDocument,
  ExamByIdDocument,
  ExamInternalsDocument,
  ExamsDocument,
  GrantExamPermissionDocument,
  PublishExamDocument,
  RevokeExamPermissionDocument,
  UpdateExamDocument,
} from './generated/graphql';
import { codeOf, startTestApp, type TestApp } from './support/app';
import { examDigest, examIdsOf, examInput, userIds } from './support/exams';

let app: TestApp;
let ids: Record<string, string>;
let t1: string;
let t2: string;
let t3: string;
let s1: string;

beforeAll(async () => {
  app = await startTestApp();
  ids = await userIds(app);
  [t1, t2, t3, s1] = await Promise.all(['teacher1', 'teacher2', 'teacher3', 'student1'].map((u) => app.login(`${u}@example.edu`)));
});
afterAll(() => app?.stop());

describe('exams a teacher sees', () => {
  it('are those they created plus those granted canView (demo: teacher1 → teacher2, one exam)', async () => {
    const own1 = await examIdsOf(app, 'teacher1');
    const own2 = await examIdsOf(app, 'teacher2');
    const seen1 = await app.gql(ExamsDocument, { first: 100 }, { token: t1 });
    expect(seen1.data!.exams.edges.map((e) => e.node.id).sort()).toEqual([...own1].sort());
    const seen2 = await app.gql(ExamsDocument, { first: 100 }, { token: t2 });
    expect(seen2.data!.exams.edges.map((e) => e.node.id).sort()).toEqual([...own2, own1[0]].sort());
    expect(seen2.data!.exams.totalCount).toBe(5);
    const granted = seen2.data!.exams.edges.find((e) => e.node.id === own1[0])!;
    expect(granted.node.creator).toEqual({ id: ids.teacher1, username: 'teacher1' });
    for (const other of own1.slice(1)) {
      expect(codeOf(await app.gql(ExamByIdDocument, { id: other }, { token: t2 }))).toBe('NOT_FOUND');
    }
    const mine = await app.gql(ExamsDocument, { filter: { createdByMe: false } }, { token: t2 });
    expect(mine.data!.exams.edges.map((e) => e.node.id)).toEqual([own1[0]]);
  });

  it('pages with stable cursors and rejects bad ones', async () => {
    const first = await app.gql(ExamsDocument, { first: 3 }, { token: t2 });
    const second = await app.gql(ExamsDocument, { first: 3, after: first.data!.exams.pageInfo.endCursor }, { token: t2 });
    expect(first.data!.exams.pageInfo.hasNextPage).toBe(true);
    expect(second.data!.exams.pageInfo.hasNextPage).toBe(false);
    expect(new Set([...first.data!.exams.edges, ...second.data!.exams.edges].map((e) => e.node.id)).size).toBe(5);
    expect(codeOf(await app.gql(ExamsDocument, { after: 'nope' }, { token: t2 }))).toBe('BAD_USER_INPUT');
  });

  it('a malformed id is NOT_FOUND, not a database error', async () => {
    expect(codeOf(await app.gql(ExamByIdDocument, { id: 'not-a-uuid' }, { token: t1 }))).toBe('NOT_FOUND');
  });
});

describe('creating, editing and publishing', () => {
  let examId: string;

  it('a teacher creates an unpublished exam; the change is audited in its transaction', async () => {
    const created = await app.gql(CreateExamDocument, { input: examInput() }, { token: t3 });
    expect(created.errors).toBeUndefined();
    examId = created.data!.createExam.id;
    expect(created.data!.createExam).toMatchObject({ isPublished: false, maxScore: 10, passingScore: 6 });
    const [audit] = await app.db.sql(`select action, actor_user_id, details from audit_logs where resource_id = '${examId}'`);
    expect(audit).toMatchObject({ action: 'MODIFY_EXAM', actor_user_id: ids.teacher3, details: { operation: 'create' } });
  });

  it('students and admins cannot create exams', async () => {
    expect(codeOf(await app.gql(CreateExamDocument, { input: examInput() }, { token: s1 }))).toBe('FORBIDDEN');
    const admin = await app.login('admin@example.edu');
    expect(codeOf(await app.gql(CreateExamDocument, { input: examInput() }, { token: admin }))).toBe('FORBIDDEN');
  });

  it('rejects negative and inconsistent scores, changing nothing', async () => {
    const before = await examDigest(app);
    const bad = [
      examInput({ maxScore: -10 }),
      examInput({ passingScore: -1 }),
      examInput({ passingScore: 11 }),
      examInput({ maxScore: 12 }),
      examInput({ questions: [{ id: 'q1', prompt: 'p', points: -5, answer: 'a' }] }),
      examInput({ questions: [{ id: 'q1', prompt: 'p', points: 5, answer: 'a' }, { id: 'q1', prompt: 'p', points: 5, answer: 'b' }] }),
      examInput({ durationMinutes: 0 }),
      examInput({ title: '' }),
    ];
    for (const input of bad) {
      const result = await app.gql(CreateExamDocument, { input }, { token: t3 });
      expect(codeOf(result), JSON.stringify(input).slice(0, 80)).toBe('BAD_USER_INPUT');
    }
    const negative = await app.gql(CreateExamDocument, { input: examInput({ maxScore: -10 }) }, { token: t3 });
    expect(negative.errors![0].message).toMatch(/maxScore must be positive/);
    expect(await examDigest(app)).toEqual(before);
  });

  it('the creator edits; scoring fields freeze once published', async () => {
    const edited = await app.gql(UpdateExamDocument, { id: examId, input: { title: 'Fractions, revised', passingScore: 5 } }, { token: t3 });
    expect(edited.data!.updateExam).toMatchObject({ title: 'Fractions, revised', passingScore: 5 });
    const published = await app.gql(PublishExamDocument, { id: examId }, { token: t3 });
    expect(published.data!.publishExam.isPublished).toBe(true);
    expect(codeOf(await app.gql(PublishExamDocument, { id: examId }, { token: t3 }))).toBe('CONFLICT');
    const before = await examDigest(app);
    expect(codeOf(await app.gql(UpdateExamDocument, { id: examId, input: { maxScore: 20 } }, { token: t3 }))).toBe('CONFLICT');
    expect(await examDigest(app)).toEqual(before);
    const retitled = await app.gql(UpdateExamDocument, { id: examId, input: { title: 'Fractions' } }, { token: t3 });
    expect(retitled.errors).toBeUndefined();
  });

  it('another teacher can neither see nor edit it', async () => {
    expect(codeOf(await app.gql(UpdateExamDocument, { id: examId, input: { title: 'x' } }, { token: t1 }))).toBe('NOT_FOUND');
    expect(codeOf(await app.gql(ExamByIdDocument, { id: examId }, { token: t1 }))).toBe('NOT_FOUND');
  });
});

describe('grants', () => {
  it('the creator grants and revokes; grantees get exactly the rights given', async () => {
    const [exam] = await examIdsOf(app, 'teacher4');
    const t4 = await app.login('teacher4@example.edu');
    const granted = await app.gql(GrantExamPermissionDocument, { teacherId: ids.teacher5, examId: exam, canViewAnalytics: true }, { token: t4 });
    expect(granted.data!.grantExamPermission).toMatchObject({ canView: true, canEdit: false, canViewAnalytics: true, teacher: { id: ids.teacher5 } });
    const t5 = await app.login('teacher5@example.edu');
    const seen = await app.gql(ExamByIdDocument, { id: exam }, { token: t5 });
    expect(seen.data!.exam.myPermissions).toEqual({ canView: true, canEdit: false, canViewAnalytics: true });
    // The grantee sees the exam but not its answer key or grant list.
    const internals = await app.gql(ExamInternalsDocument, { id: exam }, { token: t5 });
    expect(internals.data!.exam).toMatchObject({ metadata: null, grants: null });
    expect(codeOf(internals)).toBe('FORBIDDEN');
    const own = await app.gql(ExamInternalsDocument, { id: exam }, { token: t4 });
    expect(own.data!.exam.grants).toEqual([expect.objectContaining({ teacher: { id: ids.teacher5 }, grantedBy: { id: ids.teacher4 } })]);
    expect(JSON.stringify(own.data!.exam.metadata)).toContain('answer');

    expect((await app.gql(RevokeExamPermissionDocument, { teacherId: ids.teacher5, examId: exam }, { token: t4 })).data!.revokeExamPermission).toBe(true);
    expect(codeOf(await app.gql(ExamByIdDocument, { id: exam }, { token: t5 }))).toBe('NOT_FOUND');
    expect(codeOf(await app.gql(RevokeExamPermissionDocument, { teacherId: ids.teacher5, examId: exam }, { token: t4 }))).toBe('NOT_FOUND');
    const audits = await app.db.sql(`select details->>'operation' as op from audit_logs where resource_id = '${exam}' order by seq`);
    expect(audits.map((a) => a.op)).toEqual(['grant', 'revoke']);
  });

  it('a teacher who may only view cannot grant (FORBIDDEN), and nothing changes', async () => {
    const [exam] = await examIdsOf(app, 'teacher1');
    const before = await examDigest(app);
    const result = await app.gql(GrantExamPermissionDocument, { teacherId: ids.teacher3, examId: exam }, { token: t2 });
    expect(codeOf(result)).toBe('FORBIDDEN');
    expect(codeOf(await app.gql(RevokeExamPermissionDocument, { teacherId: ids.teacher2, examId: exam }, { token: t2 }))).toBe('FORBIDDEN');
    expect(await examDigest(app)).toEqual(before);
  });

  it('a teacher granted canEdit may edit and grant', async () => {
    const [, exam] = await examIdsOf(app, 'teacher1');
    await app.gql(GrantExamPermissionDocument, { teacherId: ids.teacher3, examId: exam, canEdit: true }, { token: t1 });
    const edited = await app.gql(UpdateExamDocument, { id: exam, input: { title: 'Co-edited' } }, { token: t3 });
    expect(edited.data!.updateExam.title).toBe('Co-edited');
    const passedOn = await app.gql(GrantExamPermissionDocument, { teacherId: ids.teacher4, examId: exam }, { token: t3 });
    expect(passedOn.errors).toBeUndefined();
  });

  it('refuses grants that make no sense, changing nothing', async () => {
    const [exam] = await examIdsOf(app, 'teacher1');
    const before = await examDigest(app);
    const cases = [
      { teacherId: ids.teacher1, examId: exam },
      { teacherId: ids.student1, examId: exam },
      { teacherId: 'nope', examId: exam },
      { teacherId: ids.teacher3, examId: exam, canView: false, canEdit: true },
    ];
    for (const vars of cases) expect(codeOf(await app.gql(GrantExamPermissionDocument, vars, { token: t1 })), JSON.stringify(vars)).toBe('BAD_USER_INPUT');
    expect(codeOf(await app.gql(GrantExamPermissionDocument, { teacherId: ids.teacher3, examId: exam }, { token: s1 }))).toBe('FORBIDDEN');
    expect(await examDigest(app)).toEqual(before);
  });

  it('the database refuses a grant to edit without view', async () => {
    const [exam] = await examIdsOf(app, 'teacher1');
    await expect(
      app.db.sql(`insert into teacher_exam_permissions (teacher_id, exam_id, can_view, can_edit, granted_by_id)
                  values ('${ids.teacher5}', '${exam}', false, true, '${ids.teacher1}')`),
    ).rejects.toThrow(/teacher_exam_permissions_view_check/);
  });
});

describe('what students see of an exam', () => {
  it('questions and rules, never the answer key, the grants or the teacher account', async () => {
    const [exam] = await examIdsOf(app, 'teacher1');
    const seen = await app.gql(ExamByIdDocument, { id: exam }, { token: s1 });
    expect(seen.errors).toBeUndefined();
    expect(seen.data!.exam.questions).toHaveLength(5);
    expect(JSON.stringify(seen.data)).not.toMatch(/"answer"/);
    const internals = await app.gql(ExamInternalsDocument, { id: exam }, { token: s1 });
    expect(internals.data!.exam).toMatchObject({ metadata: null, grants: null });
    const listed = await app.gql(ExamsDocument, {}, { token: s1 });
    expect(listed.data!.exams.edges.every((e) => e.node.creator === null)).toBe(true);
    expect(codeOf(listed)).toBe('FORBIDDEN');
  });

  it("students see only published exams of their cohort's teachers", async () => {
    const listed = await app.gql(ExamsDocument, { first: 100 }, { token: s1 });
    expect(listed.data!.exams.edges.map((e) => e.node.id).sort()).toEqual((await examIdsOf(app, 'teacher1')).sort());
    const other = (await examIdsOf(app, 'teacher2'))[0];
    expect(codeOf(await app.gql(ExamByIdDocument, { id: other }, { token: s1 }))).toBe('NOT_FOUND');
  });
});
