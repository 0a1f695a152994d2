import {
  ApplyToQuestDocument,
  CreateApiKeyDocument,
  CreateExamDocument,
  CreateProjectDocument,
  CreateQuestDocument,
  CreateUserDocument,
  GrantExamPermissionDocument,
  NewAssessmentDocument,
  NewWebhookDocument,
  PublishExamDocument,
  RecordEventsDocument,
  SaveAnalysisDocument,
  StartExamAttemptDocument,
  StartWorkflowDocument,
  SubmitAttemptDocument,
  type MonitoringEventInput,
} from '../generated/graphql';
import type { TestApp } from '../support/app';
import { examInput } from '../support/exams';
import type { LeakViewer } from './oracle';

const PASSWORD = 'leak-test-password';

export interface LeakFixture {
  viewers: (LeakViewer & { auth: { token?: string; apiKey?: string } })[];
  /** Rows the fixture created, per entity: tried first as values of ID arguments. */
  created: Record<string, string[]>;
  /** Pending applications to teacher A's quest, by what the mutation walk does to them (test/leak/inputs.ts). */
  applications: { toWithdraw: string; toReject: string; toApprove: string };
}

/**
 * Two teachers with a cohort each (leak-a, leak-b), a third with no cohort who only holds
 * a grant, two students per cohort, four exams (one unpublished) and partial grants:
 * TA → TB canView on EA1; TA → TC canView + canViewAnalytics on EA2. Attempts completed
 * and in progress on both sides, and a webhook each for the admin and teacher B. For the
 * mutations to act on: an exam open to cohort leak-a that nobody attempted, an assessment of
 * student A1, a project, a workflow run and a spare API key of teacher A, a quest of
 * teacher A with three pending applications, and two of teacher B with none (a student's
 * first application comes back nulled by the fields of the quest they may not see). All built through the API, on top
 * of the demo data.
 */
export async function buildLeakFixture(app: TestApp): Promise<LeakFixture> {
  const admin = await app.login('admin@example.edu');
  const ok = <T>(result: { data: T | null; errors?: unknown }) => {
    if (!result.data || result.errors) throw new Error(`fixture step failed: ${JSON.stringify(result.errors)}`);
    return result.data;
  };
  const user = async (name: string, role: 'TEACHER' | 'STUDENT', extra: Record<string, unknown>) =>
    ok(await app.gql(CreateUserDocument, { input: { email: `${name}@leak.edu`, username: name, password: PASSWORD, role, ...extra } }, { token: admin })).createUser.id;

  const ids = {
    ta: await user('leak-ta', 'TEACHER', { cohortsTaught: ['leak-a'] }),
    tb: await user('leak-tb', 'TEACHER', { cohortsTaught: ['leak-b'] }),
    tc: await user('leak-tc', 'TEACHER', {}),
    a1: await user('leak-a1', 'STUDENT', { cohort: 'leak-a' }),
    a2: await user('leak-a2', 'STUDENT', { cohort: 'leak-a' }),
    b1: await user('leak-b1', 'STUDENT', { cohort: 'leak-b' }),
    b2: await user('leak-b2', 'STUDENT', { cohort: 'leak-b' }),
  };
  const token = async (name: string) => app.login(`${name}@leak.edu`, PASSWORD);
  const [ta, tb, tc, a1, a2, b1, b2] = await Promise.all(['leak-ta', 'leak-tb', 'leak-tc', 'leak-a1', 'leak-a2', 'leak-b1', 'leak-b2'].map(token));

  const exam = async (teacher: string, title: string, publish: boolean) => {
    const id = ok(await app.gql(CreateExamDocument, { input: examInput({ title }) }, { token: teacher })).createExam.id;
    if (publish) ok(await app.gql(PublishExamDocument, { id }, { token: teacher }));
    return id;
  };
  const ea1 = await exam(ta, 'Leak A1', true);
  const ea2 = await exam(ta, 'Leak A2', true);
  const ea3 = await exam(ta, 'Leak A3 draft', false);
  const eb1 = await exam(tb, 'Leak B1', true);
  ok(await app.gql(GrantExamPermissionDocument, { teacherId: ids.tb, examId: ea1 }, { token: ta }));
  ok(await app.gql(GrantExamPermissionDocument, { teacherId: ids.tc, examId: ea2, canViewAnalytics: true }, { token: ta }));

  const attempts: string[] = [];
  const take = async (student: string, examId: string, submit: boolean) => {
    const attemptId = ok(await app.gql(StartExamAttemptDocument, { examId }, { token: student })).startAttempt.id;
    attempts.push(attemptId);
    // Proctoring events while it runs, one of them critical (which flags it).
    const events = Array.from({ length: 3 }, (_, i) => ({
      eventId: `leak-${i}`,
      eventType: 'eye_movement',
      severity: i === 2 ? 'CRITICAL' : 'NORMAL',
      isAnomaly: i > 0,
      anomalyScore: i / 2,
      payload: { n: i },
      description: `leak event ${i}`,
      clientTimestamp: new Date().toISOString(),
    }));
    ok(await app.gql(RecordEventsDocument, { attemptId, events: events as MonitoringEventInput[] }, { token: student }));
    if (submit) {
      const submission = { responses: [{ questionId: 'q1', answer: '3/4' }], proctoring: { tabSwitches: attempts.length * 3 } };
      ok(await app.gql(SubmitAttemptDocument, { attemptId, submission }, { token: student }));
      const result = { attemptId, integrityScore: 0.5, originalityIndicators: { pasteRatio: 0.1 }, llmModelVersion: 'leak', requiresInstructorAttention: true, requiresRecap: false };
      ok(await app.gql(SaveAnalysisDocument, { input: result }, { token: admin }));
    }
  };
  await take(a1, ea1, true);
  await take(a1, ea2, false);
  await take(a2, ea1, true);
  await take(a2, ea2, true);
  await take(b1, eb1, true);
  await take(b2, eb1, false);

  const key = ok(await app.gql(CreateApiKeyDocument, { input: { name: 'leak', scopes: ['read', 'subscribe'] } }, { token: tb })).createApiKey.key;
  // Webhooks of an admin and of teacher B (through the key); nothing listens on port 9.
  const hooks = [
    ok(await app.gql(NewWebhookDocument, { input: { url: 'http://127.0.0.1:9/leak-admin' } }, { token: admin })).createWebhook.webhook.id,
    ok(await app.gql(NewWebhookDocument, { input: { url: 'http://127.0.0.1:9/leak-b' } }, { apiKey: key })).createWebhook.webhook.id,
  ];
  const openExam = await exam(ta, 'Leak A4 open', true);
  const evidence = [{ kind: 'BEHAVIORAL' as const, content: 'Kept the group on task.' }];
  const assessmentInput = { studentId: ids.a1, skillType: 'COLLABORATION' as const, score: 0.5, confidence: 0.5, reasoning: 'leak', source: 'AI_MODEL' as const, modelName: 'leak', modelVersion: '1', evidence };
  const assessment = ok(await app.gql(NewAssessmentDocument, { input: assessmentInput }, { token: admin })).createAssessment.id;
  const project = ok(await app.gql(CreateProjectDocument, { input: { name: 'Leak project' } }, { token: admin })).createProject.id;
  const workflow = ok(await app.gql(StartWorkflowDocument, { input: { workflowName: 'leak-workflow' } }, { token: ta })).startWorkflow.id;
  const spareKey = ok(await app.gql(CreateApiKeyDocument, { input: { name: 'leak spare', scopes: ['read'] } }, { token: ta })).createApiKey.apiKey.id;
  const quest = async (teacher: string, title: string) => ok(await app.gql(CreateQuestDocument, { input: { title } }, { token: teacher })).createQuest.id;
  const quests = [await quest(ta, 'Leak quest A'), await quest(tb, 'Leak quest B'), await quest(tb, 'Leak quest C')];
  const apply = async (student: string) => ok(await app.gql(ApplyToQuestDocument, { questId: quests[0] }, { token: student })).applyToQuest.id;
  const applications = [await apply(a1), await apply(b1), await apply(a2)];

  const auditor = await app.login('auditor@example.edu');
  const [adminRow] = await app.db.sql(`select id from users where username = 'admin'`);
  const [auditorRow] = await app.db.sql(`select id from users where username = 'auditor'`);
  return {
    viewers: [
      { label: 'anonymous', id: null, role: null, auth: {} },
      { label: 'admin', id: adminRow.id as string, role: 'ADMIN', auth: { token: admin } },
      { label: 'auditor', id: auditorRow.id as string, role: 'AUDITOR', auth: { token: auditor } },
      { label: 'teacher A (creator)', id: ids.ta, role: 'TEACHER', auth: { token: ta } },
      { label: 'teacher B (canView on EA1)', id: ids.tb, role: 'TEACHER', auth: { token: tb } },
      { label: 'teacher B via API key', id: ids.tb, role: 'TEACHER', auth: { apiKey: key } },
      { label: 'teacher C (analytics on EA2, no cohort)', id: ids.tc, role: 'TEACHER', auth: { token: tc } },
      { label: 'student A1', id: ids.a1, role: 'STUDENT', auth: { token: a1 } },
      { label: 'student B1', id: ids.b1, role: 'STUDENT', auth: { token: b1 } },
    ],
    created: {
      User: Object.values(ids),
      Exam: [ea1, ea2, ea3, eb1, openExam],
      ExamAttempt: attempts,
      Webhook: hooks,
      SkillAssessment: [assessment],
      Project: [project],
      WorkflowExecution: [workflow],
      ApiKey: [spareKey],
      Quest: quests,
      QuestApplication: applications,
    },
    // Student A1's, student B1's and student A2's (no caller): each applicant may withdraw their own.
    applications: { toWithdraw: applications[0], toReject: applications[1], toApprove: applications[2] },
  };
}
