import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateExamDocument,
  FlagAlertsDocument,
  FlaggedStudentListDocument,
  GrantExamPermissionDocument,
  PublishExamDocument,
  RecordEventsDocument,
  StartExamAttemptDocument,
} from './generated/graphql';
import { codeOf, startTestApp, type TestApp } from './support/app';
import { examInput, userIds } from './support/exams';

/**
 * Teacher1 sets exams E1 and E2 for cohort-1 and grants teacher2 canView on E1 only. Student1
 * is flagged CRITICAL on E1, student6 WARNING on E2, student11 CRITICAL on E2.
 */
let app: TestApp;
let ids: Record<string, string>;
let teacher1: string;
let teacher2: string;
let e1: string;
let e2: string;

const flag = async (email: string, examId: string, severity: 'CRITICAL' | 'WARNING') => {
  const token = await app.login(email);
  const attemptId = (await app.gql(StartExamAttemptDocument, { examId }, { token })).data!.startAttempt.id;
  const at = new Date().toISOString();
  const events = severity === 'CRITICAL'
    ? [{ eventId: 'c', eventType: 'face_missing', severity, clientTimestamp: at }]
    : Array.from({ length: 6 }, (_, i) => ({ eventId: `w${i}`, eventType: 'gaze', isAnomaly: true, clientTimestamp: at }));
  const recorded = await app.gql(RecordEventsDocument, { attemptId, events }, { token });
  expect(recorded.data!.recordMonitoringEvents.flagged).toBe(1);
};

beforeAll(async () => {
  app = await startTestApp();
  ids = await userIds(app);
  teacher1 = await app.login('teacher1@example.edu');
  teacher2 = await app.login('teacher2@example.edu');
  const exam = async (title: string) => {
    const id = (await app.gql(CreateExamDocument, { input: examInput({ title }) }, { token: teacher1 })).data!.createExam.id;
    await app.gql(PublishExamDocument, { id }, { token: teacher1 });
    return id;
  };
  e1 = await exam('Flags E1');
  e2 = await exam('Flags E2');
  await app.gql(GrantExamPermissionDocument, { teacherId: ids.teacher2, examId: e1 }, { token: teacher1 });
  await flag('student1@example.edu', e1, 'CRITICAL');
  await flag('student6@example.edu', e2, 'WARNING');
  await flag('student11@example.edu', e2, 'CRITICAL');
});
afterAll(() => app?.stop());

const ours = (examIds: string[]) => (node: { exam?: { id: string } | null }) => examIds.includes(node.exam?.id ?? '');

describe('alerts', () => {
  it('lists the creator\'s flags newest first, with attempt, exam and student, paged by seq', async () => {
    const page = await app.gql(FlagAlertsDocument, { first: 2 }, { token: teacher1 });
    expect(page.errors).toBeUndefined();
    const mine = page.data!.alerts.edges.map((e) => e.node);
    expect(mine.map((n) => n.student!.email)).toEqual(['student11@example.edu', 'student6@example.edu']);
    expect(mine[0]).toMatchObject({ reason: 'CRITICAL_EVENT', severity: 'CRITICAL', exam: { id: e2 } });
    expect(mine[0].seq).toBeGreaterThan(mine[1].seq);
    const next = await app.gql(FlagAlertsDocument, { first: 2, after: page.data!.alerts.pageInfo.endCursor }, { token: teacher1 });
    expect(next.data!.alerts.edges.filter((e) => ours([e1, e2])(e.node)).map((e) => e.node.student!.email)).toEqual(['student1@example.edu']);
  });

  it('shows a teacher with a grant only the granted exam\'s flags, and a student nothing', async () => {
    const seen = await app.gql(FlagAlertsDocument, { first: 100 }, { token: teacher2 });
    expect(seen.errors).toBeUndefined();
    const nodes = seen.data!.alerts.edges.map((e) => e.node);
    expect(nodes.filter(ours([e1, e2])).map((n) => n.exam!.id)).toEqual([e1]);
    expect(nodes.every((n) => n.exam !== null)).toBe(true);
    const student = await app.gql(FlagAlertsDocument, {}, { token: await app.login('student1@example.edu') });
    expect(student.data).toBeNull();
    expect(codeOf(student)).toBe('FORBIDDEN');
    expect(codeOf(await app.gql(FlagAlertsDocument, {}))).toBe('UNAUTHENTICATED');
  });
});

describe('flaggedStudents', () => {
  it('groups flags per student, filtered by exam, cohort and minimum severity', async () => {
    const all = await app.gql(FlaggedStudentListDocument, { filter: { cohort: 'cohort-1' }, first: 100 }, { token: teacher1 });
    expect(all.errors).toBeUndefined();
    const emails = all.data!.flaggedStudents.edges.map((e) => e.node.student!.email);
    expect(emails.slice(0, 3)).toEqual(['student11@example.edu', 'student6@example.edu', 'student1@example.edu']);
    const critical = await app.gql(FlaggedStudentListDocument, { filter: { examId: e2, minSeverity: 'CRITICAL' } }, { token: teacher1 });
    expect(critical.data!.flaggedStudents.edges.map((e) => e.node)).toEqual([
      expect.objectContaining({ id: ids.student11, cohort: 'cohort-1', highestSeverity: 'CRITICAL', flaggedAttempts: 1, flags: 1 }),
    ]);
    expect(critical.data!.flaggedStudents.totalCount).toBe(1);
  });

  it('shows teacher2 only students flagged in the granted exam', async () => {
    const seen = await app.gql(FlaggedStudentListDocument, { filter: { examId: e1 }, first: 100 }, { token: teacher2 });
    expect(seen.data!.flaggedStudents.edges.map((e) => e.node.id)).toEqual([ids.student1]);
    // Whatever else teacher2 sees comes from exams granted to them or their own, never from E2.
    const all = await app.gql(FlaggedStudentListDocument, { first: 100 }, { token: teacher2 });
    expect(all.data!.flaggedStudents.edges.map((e) => e.node.id)).not.toContain(ids.student11);
    const onE2 = await app.gql(FlaggedStudentListDocument, { filter: { examId: e2 } }, { token: teacher2 });
    expect(onE2.data!.flaggedStudents.edges).toEqual([]);
    expect(codeOf(await app.gql(FlaggedStudentListDocument, { filter: { examId: 'nope' } }, { token: teacher1 }))).toBe('BAD_USER_INPUT');
  });
});
