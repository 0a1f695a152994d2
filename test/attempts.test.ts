import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AttemptByIdDocument,
  AttemptMetadataDocument,
  AvailableExamsDocument,
  CreateExamDocument,
  MyAttemptsDocument,
  PublishExamDocument,
  StartExamAttemptDocument,
  SubmitAttemptDocument,
  UpdateExamDocument,
} from './generated/graphql';
import { codeOf, startTestApp, type TestApp } from './support/app';
import { examDigest, examIdsOf, examInput, userIds } from './support/exams';

let app: TestApp;
let ids: Record<string, string>;
let teacher: string;
let published: string;
let unpublished: string;

const allRight = [
  { questionId: 'q1', answer: ' 3/4 ' },
  { questionId: 'q2', answer: '6' },
  { questionId: 'q3', answer: '1/4' },
];

/** The aggregates as they must be, recomputed from the attempts by hand. */
async function expectedAggregates(studentId: string) {
  const [row] = await app.db.sql(`
    select count(*)::int as total, (count(*) filter (where passed))::int as passed,
           round(avg(percentage), 2)::float as average, round(avg(integrity_score), 4)::float as integrity,
           round(avg(lmi), 4)::float as lmi
      from exam_attempts where student_id = '${studentId}' and status = 'COMPLETED'`);
  return row;
}

async function storedAggregates(studentId: string) {
  const [row] = await app.db.sql(`
    select m.total_attempts as total, m.passed_attempts as passed, m.average_score::float as average,
           m.average_integrity::float as integrity, m.average_lmi::float as lmi,
           p.attempts_completed, p.attempts_passed, p.cumulative_integrity::float as p_integrity, p.cumulative_lmi::float as p_lmi
      from performance_metrics m join student_profiles p on p.user_id = m.student_id where m.student_id = '${studentId}'`);
  return row;
}

async function expectConsistent(studentId: string) {
  const expected = await expectedAggregates(studentId);
  const stored = await storedAggregates(studentId);
  expect(stored).toMatchObject({ ...expected, attempts_completed: expected.total, attempts_passed: expected.passed, p_integrity: expected.integrity, p_lmi: expected.lmi });
}

beforeAll(async () => {
  app = await startTestApp();
  ids = await userIds(app);
  teacher = await app.login('teacher1@example.edu');
  // Room for the retakes below; the attempt limits have their own exams.
  const created = await app.gql(CreateExamDocument, { input: examInput({ maxAttempts: 3 }) }, { token: teacher });
  published = created.data!.createExam.id;
  await app.gql(PublishExamDocument, { id: published }, { token: teacher });
  unpublished = (await app.gql(CreateExamDocument, { input: examInput({ title: 'Draft' }) }, { token: teacher })).data!.createExam.id;
});
afterAll(() => app?.stop());

describe('taking an exam', () => {
  it('a student of the cohort finds it, starts, submits, and is scored against the rubric', async () => {
    const token = await app.login('student11@example.edu');
    const available = await app.gql(AvailableExamsDocument, { first: 100 }, { token });
    expect(available.data!.availableExams.edges.map((e) => e.node.id)).toContain(published);
    expect(available.data!.availableExams.edges.map((e) => e.node.id)).not.toContain(unpublished);

    const started = await app.gql(StartExamAttemptDocument, { examId: published }, { token });
    expect(started.data!.startAttempt).toMatchObject({ status: 'IN_PROGRESS', maxScore: 10 });
    const attemptId = started.data!.startAttempt.id;
    const submitted = await app.gql(
      SubmitAttemptDocument,
      { attemptId, submission: { responses: [allRight[0], { questionId: 'q2', answer: '7' }, allRight[2]], proctoring: { tabSwitches: 2 } } },
      { token },
    );
    expect(submitted.errors).toBeUndefined();
    expect(submitted.data!.submitAttempt).toMatchObject({ status: 'COMPLETED', score: 7, percentage: 70, passed: true, integrityScore: 0.9, flagged: false });
    expect(submitted.data!.submitAttempt.durationSeconds).toBeGreaterThanOrEqual(0);
    await expectConsistent(ids.student11);

    const mine = await app.gql(MyAttemptsDocument, { filter: { examId: published } }, { token });
    expect(mine.data!.myAttempts.edges.map((e) => e.node.id)).toEqual([attemptId]);
    const read = await app.gql(AttemptByIdDocument, { id: attemptId }, { token });
    expect(read.data!.attempt.submissionData).toMatchObject({ responses: expect.any(Array) });
  });

  it('students never see the raw proctoring data of their attempt; its teacher does', async () => {
    const [row] = await app.db.sql(`select id from exam_attempts where student_id = '${ids.student11}' and exam_id = '${published}'`);
    const student = await app.login('student11@example.edu');
    const own = await app.gql(AttemptMetadataDocument, { id: row.id as string }, { token: student });
    expect(own.data!.attempt).toEqual({ id: row.id, metadata: null });
    expect(codeOf(own)).toBe('FORBIDDEN');
    const seen = await app.gql(AttemptMetadataDocument, { id: row.id as string }, { token: teacher });
    expect(seen.data!.attempt.metadata).toMatchObject({ clientIp: expect.any(String), proctoring: { observed: { tabSwitches: 2 } } });
  });

  it('heavy proctoring signals lower integrity and flag the attempt', async () => {
    const token = await app.login('student16@example.edu');
    const started = await app.gql(StartExamAttemptDocument, { examId: published }, { token });
    const submitted = await app.gql(
      SubmitAttemptDocument,
      { attemptId: started.data!.startAttempt.id, submission: { responses: [], proctoring: { tabSwitches: 10, copyPasteEvents: 3 } } },
      { token },
    );
    expect(submitted.data!.submitAttempt).toMatchObject({ score: 0, passed: false, integrityScore: 0.2, flagged: true, dropoutLabel: 'HIGH_RISK' });
    const [metrics] = await app.db.sql(`select flagged_for_intervention, current_risk_label from performance_metrics where student_id = '${ids.student16}'`);
    expect(metrics).toEqual({ flagged_for_intervention: true, current_risk_label: 'HIGH_RISK' });
    await expectConsistent(ids.student16);
  });
});

describe('bad input changes nothing', () => {
  let attemptOf21: string;
  let token21: string;

  beforeAll(async () => {
    token21 = await app.login('student21@example.edu');
    attemptOf21 = (await app.gql(StartExamAttemptDocument, { examId: published }, { token: token21 })).data!.startAttempt.id;
  });

  it("submitting someone else's attempt is NOT_FOUND", async () => {
    const other = await app.login('student26@example.edu');
    const before = await examDigest(app);
    const result = await app.gql(SubmitAttemptDocument, { attemptId: attemptOf21, submission: { responses: allRight } }, { token: other });
    expect(codeOf(result)).toBe('NOT_FOUND');
    expect(codeOf(await app.gql(SubmitAttemptDocument, { attemptId: attemptOf21, submission: { responses: allRight } }, { token: teacher }))).toBe('FORBIDDEN');
    expect(await examDigest(app)).toEqual(before);
  });

  it('negative proctoring counts, unknown or repeated questions are BAD_USER_INPUT', async () => {
    const before = await examDigest(app);
    const cases = [
      { responses: allRight, proctoring: { tabSwitches: -1 } },
      { responses: [{ questionId: 'q9', answer: 'x' }] },
      { responses: [allRight[0], allRight[0]] },
      { responses: [{ questionId: 'bad id!', answer: 'x' }] },
    ];
    for (const submission of cases) {
      const result = await app.gql(SubmitAttemptDocument, { attemptId: attemptOf21, submission }, { token: token21 });
      expect(codeOf(result), JSON.stringify(submission)).toBe('BAD_USER_INPUT');
    }
    expect(await examDigest(app)).toEqual(before);
  });

  it('a second attempt in progress on one exam is CONFLICT', async () => {
    const before = await examDigest(app);
    expect(codeOf(await app.gql(StartExamAttemptDocument, { examId: published }, { token: token21 }))).toBe('CONFLICT');
    expect(await examDigest(app)).toEqual(before);
  });

  it('submitting twice is CONFLICT and the first result stands', async () => {
    const first = await app.gql(SubmitAttemptDocument, { attemptId: attemptOf21, submission: { responses: allRight } }, { token: token21 });
    expect(first.data!.submitAttempt.score).toBe(10);
    const before = await examDigest(app);
    const again = await app.gql(SubmitAttemptDocument, { attemptId: attemptOf21, submission: { responses: [] } }, { token: token21 });
    expect(codeOf(again)).toBe('CONFLICT');
    expect(await examDigest(app)).toEqual(before);
  });

  it('starting an unpublished exam is CONFLICT; an exam of another cohort is NOT_FOUND', async () => {
    const before = await examDigest(app);
    expect(codeOf(await app.gql(StartExamAttemptDocument, { examId: unpublished }, { token: token21 }))).toBe('CONFLICT');
    const [otherCohort] = await examIdsOf(app, 'teacher2');
    expect(codeOf(await app.gql(StartExamAttemptDocument, { examId: otherCohort }, { token: token21 }))).toBe('NOT_FOUND');
    expect(codeOf(await app.gql(StartExamAttemptDocument, { examId: 'nope' }, { token: token21 }))).toBe('NOT_FOUND');
    expect(codeOf(await app.gql(StartExamAttemptDocument, { examId: published }, { token: teacher }))).toBe('FORBIDDEN');
    expect(await examDigest(app)).toEqual(before);
  });

  it('the database refuses what the edge would: a negative score, integrity above 1, two attempts in progress', async () => {
    const insert = (values: string) =>
      app.db.sql(`insert into exam_attempts (id, exam_id, student_id, status, max_score, score, integrity_score)
                  values (gen_random_uuid(), '${published}', '${ids.student31}', ${values})`);
    await expect(insert(`'IN_PROGRESS', 10, -1, null`)).rejects.toThrow(/exam_attempts_score_check/);
    await expect(insert(`'IN_PROGRESS', 10, null, 1.5`)).rejects.toThrow(/exam_attempts_integrity_check/);
    await expect(insert(`'DONE', 10, null, null`)).rejects.toThrow(/exam_attempts_status_check/);
    await expect(insert(`'COMPLETED', 10, null, null`)).rejects.toThrow(/exam_attempts_completed_check/);
    await insert(`'IN_PROGRESS', 10, null, null`);
    await expect(insert(`'IN_PROGRESS', 10, null, null`)).rejects.toThrow(/exam_attempts_one_in_progress/);
  });
});

describe('concurrency', () => {
  it("one student's parallel submissions all count; the aggregates match the attempts", async () => {
    const token = await app.login('student36@example.edu');
    const exams = (await examIdsOf(app, 'teacher1')).filter((id) => id !== unpublished);
    const started = await Promise.all(exams.map((examId) => app.gql(StartExamAttemptDocument, { examId }, { token })));
    const attemptIds = started.filter((s) => !s.errors).map((s) => s.data!.startAttempt.id);
    expect(attemptIds.length).toBeGreaterThanOrEqual(4);
    const results = await Promise.all(
      attemptIds.map((attemptId, i) =>
        app.gql(SubmitAttemptDocument, { attemptId, submission: { responses: [{ questionId: 'q1', answer: i % 2 ? 'A' : 'B' }], proctoring: { tabSwitches: i } } }, { token }),
      ),
    );
    expect(results.every((r) => !r.errors)).toBe(true);
    await expectConsistent(ids.student36);
  });

  it('the same attempt submitted twice at once: one COMPLETED, one CONFLICT', async () => {
    const token = await app.login('student41@example.edu');
    const attemptId = (await app.gql(StartExamAttemptDocument, { examId: published }, { token })).data!.startAttempt.id;
    const both = await Promise.all([0, 1].map(() => app.gql(SubmitAttemptDocument, { attemptId, submission: { responses: allRight } }, { token })));
    expect(both.map((r) => (r.errors ? codeOf(r) : r.data!.submitAttempt.status)).sort()).toEqual(['COMPLETED', 'CONFLICT']);
    const [count] = await app.db.sql(`select total_attempts from performance_metrics where student_id = '${ids.student41}'`);
    const [expected] = await app.db.sql(`select count(*)::int as n from exam_attempts where student_id = '${ids.student41}' and status = 'COMPLETED'`);
    expect(count.total_attempts).toBe(expected.n);
    await expectConsistent(ids.student41);
  });
});

/** A published exam of teacher1's (cohort-1) with the given settings. */
async function publishedExam(overrides: Record<string, unknown>): Promise<string> {
  const created = await app.gql(CreateExamDocument, { input: examInput(overrides) }, { token: teacher });
  const examId = created.data!.createExam.id;
  await app.gql(PublishExamDocument, { id: examId }, { token: teacher });
  return examId;
}

describe('attempt limits', () => {
  it('an exam allows one attempt by default: after submitting it, a second start is CONFLICT', async () => {
    const created = await app.gql(CreateExamDocument, { input: examInput({ title: 'Once only' }) }, { token: teacher });
    expect(created.data!.createExam).toMatchObject({ maxAttempts: 1, allowReview: false });
    const examId = created.data!.createExam.id;
    await app.gql(PublishExamDocument, { id: examId }, { token: teacher });
    const token = await app.login('student1@example.edu');
    const attemptId = (await app.gql(StartExamAttemptDocument, { examId }, { token })).data!.startAttempt.id;
    expect((await app.gql(SubmitAttemptDocument, { attemptId, submission: { responses: allRight } }, { token })).errors).toBeUndefined();
    const before = await examDigest(app);
    const again = await app.gql(StartExamAttemptDocument, { examId }, { token });
    expect(codeOf(again)).toBe('CONFLICT');
    expect(again.errors![0].message).toBe('You have used all 1 attempt(s) this exam allows');
    expect(await examDigest(app)).toEqual(before);
  });

  it('20 parallel starts, three rounds over, on an exam allowing 2: exactly 2 attempts, every other start CONFLICT', async () => {
    const examId = await publishedExam({ title: 'Twice at most', maxAttempts: 2 });
    const token = await app.login('student6@example.edu');
    const lastRound: string[] = [];
    for (let round = 0; round < 3; round++) {
      const starts = await Promise.all(Array.from({ length: 20 }, () => app.gql(StartExamAttemptDocument, { examId }, { token })));
      const refused = starts.filter((s) => s.errors);
      expect(refused.map(codeOf).every((code) => code === 'CONFLICT')).toBe(true);
      if (round === 2) lastRound.push(...refused.map((s) => s.errors![0].message));
      for (const started of starts.filter((s) => !s.errors)) {
        const attemptId = started.data!.startAttempt.id;
        expect((await app.gql(SubmitAttemptDocument, { attemptId, submission: { responses: [] } }, { token })).errors).toBeUndefined();
      }
    }
    const [row] = await app.db.sql(`select count(*)::int as n from exam_attempts where exam_id = '${examId}' and student_id = '${ids.student6}'`);
    expect(row.n).toBe(2);
    expect(lastRound).toEqual(Array(20).fill('You have used all 2 attempt(s) this exam allows'));
    await expectConsistent(ids.student6);
  });

  it('the database holds the limit itself: of 20 parallel inserts for one student, exactly maxAttempts land', async () => {
    const examId = await publishedExam({ title: 'Raw writers', maxAttempts: 2 });
    const inserts = await Promise.allSettled(
      Array.from({ length: 20 }, () =>
        app.db.sql(`insert into exam_attempts (id, exam_id, student_id, status, max_score)
                    values (gen_random_uuid(), '${examId}', '${ids.student11}', 'ABANDONED', 10)`),
      ),
    );
    expect(inserts.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    for (const r of inserts) if (r.status === 'rejected') expect(String(r.reason)).toMatch(/allows 2 attempt\(s\) per student/);
    await expect(app.db.sql(`update exams set max_attempts = 0 where id = '${examId}'`)).rejects.toThrow(/exams_max_attempts_check/);
  });

  it('maxAttempts below 1 or above 100 is BAD_USER_INPUT, changing nothing', async () => {
    const before = await examDigest(app);
    for (const maxAttempts of [0, -1, 101]) {
      const result = await app.gql(CreateExamDocument, { input: examInput({ maxAttempts }) }, { token: teacher });
      expect(codeOf(result), String(maxAttempts)).toBe('BAD_USER_INPUT');
      expect(result.errors![0].message).toMatch(/maxAttempts must be at (least 1|most 100)/);
    }
    expect(codeOf(await app.gql(UpdateExamDocument, { id: published, input: { maxAttempts: 0 } }, { token: teacher }))).toBe('BAD_USER_INPUT');
    expect(await examDigest(app)).toEqual(before);
  });
});
