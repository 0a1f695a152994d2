import { afterAll, beforeAll, describe, expect, it as base } from 'vitest';
import {
  AttemptWatchDocument,
  CreateApiKeyDocument,
  CreateExamDocument,
  PublishExamDocument,
  RecordEventsDocument,
  SaveAnalysisDocument,
  StartExamAttemptDocument,
  type AttemptWatchSubscription,
} from './generated/graphql';
import { startTestApp, type TestApp } from './support/app';
import { examInput } from './support/exams';
import { subscribe, until, type Subscriber } from './support/subscriptions';

/*
 * attemptUpdated through a real graphql-ws client. The poll is set to a minute, so what
 * arrives within the test was woken by the writes themselves.
 */
let app: TestApp;
let teacher: string;

beforeAll(async () => {
  app = await startTestApp({ LIVE_POLL_MS: '60000' });
  teacher = await app.login('teacher1@example.edu');
});
afterAll(() => app?.stop());

interface Watched {
  id: string;
  student: string;
  watch(token: string): Subscriber<AttemptWatchSubscription>;
}

const it = base.extend<{ attempt: Watched }>({
  attempt: async ({ task }, use) => {
    const exam = await app.gql(CreateExamDocument, { input: examInput({ title: `Watched: ${task.name}`.slice(0, 200) }) }, { token: teacher });
    const examId = exam.data!.createExam.id;
    await app.gql(PublishExamDocument, { id: examId }, { token: teacher });
    const student = await app.login('student1@example.edu');
    const id = (await app.gql(StartExamAttemptDocument, { examId }, { token: student })).data!.startAttempt.id;
    const opened: Subscriber<AttemptWatchSubscription>[] = [];
    await use({
      id,
      student,
      watch: (token) => {
        const s = subscribe(app.url, AttemptWatchDocument, { attemptId: id }, { authorization: `Bearer ${token}` });
        opened.push(s);
        return s;
      },
    });
    await Promise.all(opened.map((s) => s.stop()));
  },
});

const at = () => new Date().toISOString();

describe('attemptUpdated', () => {
  it('sends the state at once, then counts, latest severity, the flag and the analysis as they change', async ({ attempt }) => {
    const watch = attempt.watch(teacher);
    const [initial] = await watch.received(1);
    expect(initial.attemptUpdated).toMatchObject({ attemptId: attempt.id, status: 'IN_PROGRESS', totalEvents: 0, latestSeverity: null, flagged: false, analysisArrived: false });

    await app.gql(RecordEventsDocument, { attemptId: attempt.id, events: [{ eventId: 'w1', eventType: 'window_focus', severity: 'WARNING', clientTimestamp: at() }] }, { token: attempt.student });
    const [, warned] = await watch.received(2);
    expect(warned.attemptUpdated).toMatchObject({ totalEvents: 1, latestSeverity: 'WARNING', flagged: false });
    expect(warned.attemptUpdated.bySeverity).toContainEqual({ severity: 'WARNING', count: 1 });

    await app.gql(RecordEventsDocument, { attemptId: attempt.id, events: [{ eventId: 'c1', eventType: 'face_detection', severity: 'CRITICAL', clientTimestamp: at() }] }, { token: attempt.student });
    const [, , flagged] = await watch.received(3);
    expect(flagged.attemptUpdated).toMatchObject({ totalEvents: 2, latestSeverity: 'CRITICAL', flagged: true, flagSeverity: 'CRITICAL' });

    const admin = await app.login('admin@example.edu');
    await app.gql(SaveAnalysisDocument, { input: { attemptId: attempt.id, integrityScore: 0.5, requiresInstructorAttention: false, requiresRecap: false } }, { token: admin });
    const [, , , analysed] = await watch.received(4);
    expect(analysed.attemptUpdated.analysisArrived).toBe(true);
    expect(watch.errors).toEqual([]);
  });

  it('a resent batch that changes nothing sends nothing', async ({ attempt }) => {
    const watch = attempt.watch(teacher);
    await watch.received(1);
    const events = [{ eventId: 'same', eventType: 'keystroke', clientTimestamp: at() }];
    await app.gql(RecordEventsDocument, { attemptId: attempt.id, events }, { token: attempt.student });
    await watch.received(2);
    await app.gql(RecordEventsDocument, { attemptId: attempt.id, events }, { token: attempt.student });
    await new Promise((r) => setTimeout(r, 300));
    expect(watch.events).toHaveLength(2);
  });

  it('is NOT_FOUND for a teacher without access to the exam and for the attempt\'s own student', async ({ attempt }) => {
    const other = attempt.watch(await app.login('teacher2@example.edu'));
    const own = attempt.watch(attempt.student);
    await Promise.all([other.connected, own.connected]);
    await new Promise((r) => setTimeout(r, 300));
    expect(other.events).toEqual([]);
    expect(own.events).toEqual([]);
    expect(other.errors[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(own.errors[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('refuses variables that do not fit their types before it runs, as a request error like HTTP’s', async () => {
    const watch = subscribe(app.url, AttemptWatchDocument, { attemptId: null as unknown as string }, { authorization: `Bearer ${teacher}` });
    try {
      await until(() => watch.errors.length > 0, 5000, () => 'the refusal');
      expect(watch.errors).toEqual([
        { message: 'Variable "$attemptId" of non-null type "ID!" must not be null.', extensions: { code: 'BAD_USER_INPUT', reason: 'GRAPHQL_VALIDATION_FAILED' } },
      ]);
    } finally {
      await watch.stop();
    }
  });

  it('masks an unexpected failure as it starts, as HTTP does: no SQL, no table name', async ({ attempt }) => {
    await app.db.sql('alter table behavior_analyses rename to behavior_analyses_away');
    try {
      const watch = attempt.watch(teacher);
      await watch.connected;
      await until(() => watch.errors.length > 0, 5000, () => 'the failure');
      expect(watch.errors).toEqual([{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
    } finally {
      await app.db.sql('alter table behavior_analyses_away rename to behavior_analyses');
    }
  });

  it('works for a proctoring key with subscribe', async ({ attempt }) => {
    const key = await app.gql(CreateApiKeyDocument, { input: { name: 'watcher', scopes: ['subscribe'] } }, { token: teacher });
    const watch = subscribe(app.url, AttemptWatchDocument, { attemptId: attempt.id }, { apiKey: key.data!.createApiKey.key });
    try {
      const [initial] = await watch.received(1);
      expect(initial.attemptUpdated.attemptId).toBe(attempt.id);
    } finally {
      await watch.stop();
    }
  });
});
