import { afterAll, beforeAll, describe, expect, it as base } from 'vitest';
import {
  AnalysisForStaffDocument,
  AnalysisForStudentDocument,
  AttemptWithAnalysisDocument,
  CreateApiKeyDocument,
  CreateExamDocument,
  PublishExamDocument,
  RecordEventsDocument,
  SaveAnalysisDocument,
  StartExamAttemptDocument,
  SubmitAttemptDocument,
  type BehaviorAnalysisInput,
} from './generated/graphql';
import { codeOf, startTestApp, type TestApp } from './support/app';
import { examInput } from './support/exams';

let app: TestApp;
let admin: string;
let teacher: string;
let scoringKey: string;

beforeAll(async () => {
  app = await startTestApp();
  admin = await app.login('admin@example.edu');
  teacher = await app.login('teacher1@example.edu');
  scoringKey = (await app.gql(CreateApiKeyDocument, { input: { name: 'scoring', scopes: ['analysis:write'] } }, { token: teacher })).data!.createApiKey.key;
});
afterAll(() => app?.stop());

interface Attempt {
  id: string;
  student: string;
}

/** A submitted attempt of student1 on a fresh exam of teacher1, with a few events recorded while it ran. */
const it = base.extend<{ attempt: Attempt }>({
  attempt: async ({ task }, use) => {
    const exam = await app.gql(CreateExamDocument, { input: examInput({ title: `Analysed: ${task.name}`.slice(0, 200) }) }, { token: teacher });
    const examId = exam.data!.createExam.id;
    await app.gql(PublishExamDocument, { id: examId }, { token: teacher });
    const student = await app.login('student1@example.edu');
    const id = (await app.gql(StartExamAttemptDocument, { examId }, { token: student })).data!.startAttempt.id;
    const at = new Date().toISOString();
    await app.gql(RecordEventsDocument, {
      attemptId: id,
      events: [
        { eventId: 'a', eventType: 'eye_movement', clientTimestamp: at },
        { eventId: 'b', eventType: 'window_focus', clientTimestamp: at, isAnomaly: true },
      ],
    }, { token: student });
    await app.gql(SubmitAttemptDocument, { attemptId: id, submission: { responses: [{ questionId: 'q1', answer: '3/4' }] } }, { token: student });
    await use({ id, student });
  },
});

const analysis = (attemptId: string, extra: Partial<BehaviorAnalysisInput> = {}): BehaviorAnalysisInput => ({
  attemptId,
  integrityScore: 0.42,
  lmiScore: 0.3,
  improvementTrend: -0.2,
  dropoutLabel: 'HIGH_RISK',
  dropoutConfidence: 0.8,
  originalityIndicators: { pasteRatio: 0.6 },
  llmSummary: 'Frequent window changes during the fractions section.',
  llmRecommendations: ['Review fractions with the student'],
  llmModelVersion: 'scorer-2026.11',
  requiresInstructorAttention: true,
  requiresRecap: true,
  ...extra,
});

const flagEvents = async (attemptId: string) =>
  app.db.sql(`select reason, severity from student_flag_events where attempt_id = '${attemptId}' order by seq`);

describe('saving an analysis', () => {
  it('counts the events itself, carries the scores onto the attempt and profile, and flags once however often it is resent', async ({ attempt }) => {
    const saved = await app.gql(SaveAnalysisDocument, { input: analysis(attempt.id) }, { apiKey: scoringKey });
    expect(saved.errors).toBeUndefined();
    expect(saved.data!.saveBehaviorAnalysis).toMatchObject({ attemptId: attempt.id, totalEvents: 2, anomalyCount: 1, criticalCount: 0, integrityScore: 0.42, dropoutLabel: 'HIGH_RISK' });
    const resent = await app.gql(SaveAnalysisDocument, { input: analysis(attempt.id) }, { apiKey: scoringKey });
    const { updatedAt: _a, ...first } = saved.data!.saveBehaviorAnalysis;
    const { updatedAt: _b, ...second } = resent.data!.saveBehaviorAnalysis;
    expect(second).toEqual(first);
    expect(await flagEvents(attempt.id)).toEqual([{ reason: 'ANALYSIS', severity: 'CRITICAL' }]);

    const read = await app.gql(AttemptWithAnalysisDocument, { id: attempt.id }, { token: teacher });
    expect(read.data!.attempt).toMatchObject({ integrityScore: 0.42, lmi: 0.3, dropoutLabel: 'HIGH_RISK', flagged: true, flagSeverity: 'CRITICAL', behaviorAnalysis: { integrityScore: 0.42 } });
    const [profile] = await app.db.sql(`select p.flagged_for_review, p.current_dropout_risk from student_profiles p join exam_attempts a on a.student_id = p.user_id where a.id = '${attempt.id}'`);
    expect(profile).toMatchObject({ flagged_for_review: true });
    const [stats] = await app.db.sql(`select count(*)::int as n from behavior_analyses where attempt_id = '${attempt.id}'`);
    expect(stats.n).toBe(1);
  });

  it('refuses scores outside their range, a missing attempt, students and auditors, and a teacher without the exam', async ({ attempt }) => {
    const bad = await app.gql(SaveAnalysisDocument, { input: analysis(attempt.id, { integrityScore: 1.2 }) }, { token: admin });
    expect(codeOf(bad)).toBe('BAD_USER_INPUT');
    expect(bad.errors![0].message).toMatch(/integrityScore must be between 0 and 1/);
    expect(codeOf(await app.gql(SaveAnalysisDocument, { input: analysis(attempt.id, { improvementTrend: -3 }) }, { token: admin }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await app.gql(SaveAnalysisDocument, { input: analysis('00000000-0000-4000-8000-000000000000') }, { token: admin }))).toBe('NOT_FOUND');
    expect(codeOf(await app.gql(SaveAnalysisDocument, { input: analysis(attempt.id) }, { token: attempt.student }))).toBe('FORBIDDEN');
    expect(codeOf(await app.gql(SaveAnalysisDocument, { input: analysis(attempt.id) }, { token: await app.login('auditor@example.edu') }))).toBe('FORBIDDEN');
    const teacher2 = await app.login('teacher2@example.edu');
    const otherKey = (await app.gql(CreateApiKeyDocument, { input: { name: 'other', scopes: ['analysis:write'] } }, { token: teacher2 })).data!.createApiKey.key;
    expect(codeOf(await app.gql(SaveAnalysisDocument, { input: analysis(attempt.id) }, { apiKey: otherKey }))).toBe('NOT_FOUND');
    // The exam's teacher with a session: analyses come from a scoring service's key.
    expect(codeOf(await app.gql(SaveAnalysisDocument, { input: analysis(attempt.id) }, { token: teacher }))).toBe('FORBIDDEN');
    expect(await app.db.sql(`select 1 from behavior_analyses where attempt_id = '${attempt.id}'`)).toEqual([]);
  });
});

describe('reading an analysis', () => {
  it('the student sees their integrity, summary and recommendations, never the indicators or model fields', async ({ attempt }) => {
    await app.gql(SaveAnalysisDocument, { input: analysis(attempt.id) }, { token: admin });
    const own = await app.gql(AnalysisForStudentDocument, { attemptId: attempt.id }, { token: attempt.student });
    expect(own.errors).toBeUndefined();
    expect(own.data!.behaviorAnalysis).toMatchObject({ integrityScore: 0.42, llmSummary: expect.stringMatching(/window changes/), llmRecommendations: ['Review fractions with the student'] });
    const hidden = await app.gql(AnalysisForStaffDocument, { attemptId: attempt.id }, { token: attempt.student });
    expect(hidden.data!.behaviorAnalysis).toMatchObject({ originalityIndicators: null, llmModelVersion: null, dropoutConfidence: null });
    expect(hidden.errors!.every((e) => e.extensions?.code === 'FORBIDDEN')).toBe(true);
    expect(JSON.stringify(hidden)).not.toMatch(/pasteRatio|scorer-2026/);

    const staff = await app.gql(AnalysisForStaffDocument, { attemptId: attempt.id }, { token: teacher });
    expect(staff.data!.behaviorAnalysis).toMatchObject({ originalityIndicators: { pasteRatio: 0.6 }, llmModelVersion: 'scorer-2026.11' });
    const teacher2 = await app.login('teacher2@example.edu');
    expect(codeOf(await app.gql(AnalysisForStudentDocument, { attemptId: attempt.id }, { token: teacher2 }))).toBe('NOT_FOUND');
    const other = await app.login('student6@example.edu');
    expect(codeOf(await app.gql(AnalysisForStudentDocument, { attemptId: attempt.id }, { token: other }))).toBe('NOT_FOUND');
  });

  it('is null until one is saved', async ({ attempt }) => {
    const none = await app.gql(AnalysisForStudentDocument, { attemptId: attempt.id }, { token: teacher });
    expect(none.errors).toBeUndefined();
    expect(none.data!.behaviorAnalysis).toBeNull();
  });
});
