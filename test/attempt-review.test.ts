import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AttemptReviewDocument,
  CreateExamDocument,
  GrantExamPermissionDocument,
  PublishExamDocument,
  StartExamAttemptDocument,
  SubmitAndReviewDocument,
  UpdateExamDocument,
} from './generated/graphql';
import { codeOf, startTestApp, type TestApp } from './support/app';
import { examInput, userIds } from './support/exams';

let app: TestApp;
let ids: Record<string, string>;
let teacher: string;

/** q1 right, q2 wrong, q3 left out. */
const responses = [
  { questionId: 'q1', answer: '3/4' },
  { questionId: 'q2', answer: '7' },
];
const judged = [
  { questionId: 'q1', answer: '3/4', correct: true, pointsAwarded: 4, correctAnswer: '3/4' },
  { questionId: 'q2', answer: '7', correct: false, pointsAwarded: 0, correctAnswer: '6' },
  { questionId: 'q3', answer: null, correct: false, pointsAwarded: 0, correctAnswer: '1/4' },
];

async function publishedExam(overrides: Record<string, unknown>): Promise<string> {
  const examId = (await app.gql(CreateExamDocument, { input: examInput(overrides) }, { token: teacher })).data!.createExam.id;
  await app.gql(PublishExamDocument, { id: examId }, { token: teacher });
  return examId;
}

async function takeAttempt(examId: string, token: string) {
  const attemptId = (await app.gql(StartExamAttemptDocument, { examId }, { token })).data!.startAttempt.id;
  return { attemptId, submitted: await app.gql(SubmitAndReviewDocument, { attemptId, submission: { responses } }, { token }) };
}

const reviewOf = async (attemptId: string, token: string) => app.gql(AttemptReviewDocument, { id: attemptId }, { token });

beforeAll(async () => {
  app = await startTestApp();
  ids = await userIds(app);
  teacher = await app.login('teacher1@example.edu');
});
afterAll(() => app?.stop());

describe('per-question results', () => {
  it('without allowReview a student never sees them, even with no attempts left; the creator and admins do, a view-only grantee not; turning it on opens them', async () => {
    const examId = await publishedExam({ title: 'No review' });
    const student = await app.login('student1@example.edu');
    const { attemptId, submitted } = await takeAttempt(examId, student);
    expect(submitted.data!.submitAttempt).toMatchObject({ score: 4, review: null });
    expect(codeOf(submitted)).toBe('FORBIDDEN');

    const own = await reviewOf(attemptId, student);
    expect(own.data!.attempt).toEqual({ id: attemptId, review: null });
    expect(codeOf(own)).toBe('FORBIDDEN');

    expect((await reviewOf(attemptId, teacher)).data!.attempt.review).toEqual(judged);
    expect((await reviewOf(attemptId, await app.login('admin@example.edu'))).data!.attempt.review).toEqual(judged);
    await app.gql(GrantExamPermissionDocument, { teacherId: ids.teacher2, examId, canView: true }, { token: teacher });
    const grantee = await reviewOf(attemptId, await app.login('teacher2@example.edu'));
    expect(grantee.data!.attempt).toEqual({ id: attemptId, review: null });
    expect(codeOf(grantee)).toBe('FORBIDDEN');

    // Turning review on later opens it: the student's one allowed attempt is submitted.
    const updated = await app.gql(UpdateExamDocument, { id: examId, input: { allowReview: true } }, { token: teacher });
    expect(updated.data!.updateExam).toMatchObject({ maxAttempts: 1, allowReview: true });
    expect((await reviewOf(attemptId, student)).data!.attempt.review).toEqual(judged);
  });

  it('with allowReview, a student sees nothing while attempts are left, and every attempt once the last one is submitted', async () => {
    const examId = await publishedExam({ title: 'Review after two', maxAttempts: 2, allowReview: true });
    const student = await app.login('student6@example.edu');
    const first = await takeAttempt(examId, student);
    expect(first.submitted.data!.submitAttempt.review).toBeNull();
    expect(codeOf(first.submitted)).toBe('FORBIDDEN');

    // The second attempt is open: the first one's results would say what to change in it.
    const secondId = (await app.gql(StartExamAttemptDocument, { examId }, { token: student })).data!.startAttempt.id;
    expect(codeOf(await reviewOf(first.attemptId, student))).toBe('FORBIDDEN');
    const last = await app.gql(SubmitAndReviewDocument, { attemptId: secondId, submission: { responses } }, { token: student });
    expect(last.errors).toBeUndefined();
    expect(last.data!.submitAttempt.review).toEqual(judged.map(({ questionId, correct, correctAnswer }) => ({ questionId, correct, correctAnswer })));

    const earlier = await reviewOf(first.attemptId, student);
    expect(earlier.errors).toBeUndefined();
    expect(earlier.data!.attempt.review).toEqual(judged);
    const other = await reviewOf(first.attemptId, await app.login('student11@example.edu'));
    expect(codeOf(other)).toBe('NOT_FOUND');
  });
});
