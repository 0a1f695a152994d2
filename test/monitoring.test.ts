import { afterAll, beforeAll, describe, expect, it as base } from 'vitest';
import { loadConfig } from '../src/config';
import { JobTrigger } from '../src/entities/job-run.entity';
import { scheduledJobs } from '../src/jobs/registry';
import { runJob } from '../src/jobs/runner';
import { partitionName } from '../src/services/monitoring/partitions';
import {
  CreateApiKeyDocument,
  CreateExamDocument,
  EventSummaryDocument,
  EventTimelineDocument,
  PublishExamDocument,
  RecordEventsDocument,
  StartExamAttemptDocument,
  SubmitAttemptDocument,
  type MonitoringEventInput,
} from './generated/graphql';
import { codeOf, startTestApp, type TestApp } from './support/app';
import { TEST_JWT_SECRET } from './support/constants';
import { examInput, userIds } from './support/exams';

let app: TestApp;
let ids: Record<string, string>;
let teacher: string;
let proctorKey: string;

beforeAll(async () => {
  app = await startTestApp({ MONITORING_ANOMALY_FLAG_THRESHOLD: '3' });
  ids = await userIds(app);
  teacher = await app.login('teacher1@example.edu');
  const key = await app.gql(CreateApiKeyDocument, { input: { name: 'proctoring', scopes: ['events:write'] } }, { token: teacher });
  proctorKey = key.data!.createApiKey.key;
});
afterAll(() => app?.stop());

interface Attempt {
  id: string;
  examId: string;
  student: string;
}

let examCount = 0;

/** Each test gets its own published exam of teacher1 and an attempt in progress by student1 (cohort-1). */
const it = base.extend<{ attempt: Attempt }>({
  attempt: async ({ task }, use) => {
    const exam = await app.gql(CreateExamDocument, { input: examInput({ title: `Proctored ${++examCount}: ${task.name}`.slice(0, 200) }) }, { token: teacher });
    const examId = exam.data!.createExam.id;
    await app.gql(PublishExamDocument, { id: examId }, { token: teacher });
    const student = await app.login('student1@example.edu');
    const started = await app.gql(StartExamAttemptDocument, { examId }, { token: student });
    await use({ id: started.data!.startAttempt.id, examId, student });
  },
});

const now = Date.now();
const event = (n: number, extra: Partial<MonitoringEventInput> = {}): MonitoringEventInput => ({
  eventId: `ev-${n}`,
  eventType: 'eye_movement',
  clientTimestamp: new Date(now + n).toISOString(),
  payload: { gaze: { x: n % 7, y: 1 }, screen: n % 2 === 0 ? 'main' : 'side' },
  ...extra,
});
const batch = (from: number, count: number, extra: Partial<MonitoringEventInput> = {}) =>
  Array.from({ length: count }, (_, i) => event(from + i, extra));

const storedEvents = async (attemptId: string) =>
  Number((await app.db.sql(`select count(*) as n from monitoring_events where attempt_id = '${attemptId}'`))[0].n);

describe('recording events', () => {
  it('stores a batch from the attempt\'s student, and counts a retried batch as duplicates', async ({ attempt }) => {
    const first = await app.gql(RecordEventsDocument, { attemptId: attempt.id, events: batch(0, 50) }, { token: attempt.student });
    expect(first.data!.recordMonitoringEvents).toEqual({ accepted: 50, duplicates: 0, flagged: 0 });
    const retried = await app.gql(RecordEventsDocument, { attemptId: attempt.id, events: batch(25, 50) }, { token: attempt.student });
    expect(retried.data!.recordMonitoringEvents).toEqual({ accepted: 25, duplicates: 25, flagged: 0 });
    // The same event id with another timestamp is still the same event.
    const moved = await app.gql(RecordEventsDocument, { attemptId: attempt.id, events: [event(3, { clientTimestamp: new Date(now - 1000).toISOString() })] }, { token: attempt.student });
    expect(moved.data!.recordMonitoringEvents).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(await storedEvents(attempt.id)).toBe(75);
  });

  it('runs the same number of statements for a batch of 1, 100 and 1,000, and for one that flags the attempt', async ({ attempt }) => {
    const counts: number[] = [];
    for (const [from, size] of [[0, 1], [10, 100], [1000, 1000]]) {
      const result = await app.gql(RecordEventsDocument, { attemptId: attempt.id, events: batch(from, size) }, { token: attempt.student });
      expect(result.data!.recordMonitoringEvents.accepted).toBe(size);
      counts.push(result.statements);
    }
    const flagging = await app.gql(RecordEventsDocument, { attemptId: attempt.id, events: [event(5000, { severity: 'CRITICAL' })] }, { token: attempt.student });
    expect(flagging.data!.recordMonitoringEvents).toEqual({ accepted: 1, duplicates: 0, flagged: 1 });
    counts.push(flagging.statements);
    // The batch's own statement only: the student's token, remembered since it started the attempt, costs none.
    expect(counts, `statements per call: ${counts.join(', ')}`).toEqual([1, 1, 1, 1]);
  });

  it('accepts a staff account\'s API key with events:write for an exam it may view', async ({ attempt }) => {
    const result = await app.gql(RecordEventsDocument, { attemptId: attempt.id, events: batch(0, 3) }, { apiKey: proctorKey });
    expect(result.data!.recordMonitoringEvents.accepted).toBe(3);
  });

  it('refuses a whole batch with one bad event, naming its index and field, and stores nothing', async ({ attempt }) => {
    const cases: [Partial<MonitoringEventInput>, RegExp][] = [
      [{ eventType: 'Eye-Movement' }, /events\[7\]\.eventType: eventType must be a lowercase identifier/],
      [{ anomalyScore: 1.5 }, /events\[7\]\.anomalyScore: anomalyScore must be between 0 and 1/],
      [{ eventId: '' }, /events\[7\]\.eventId/],
      [{ clientTimestamp: new Date(Date.now() + 3_600_000).toISOString() }, /events\[7\]\.clientTimestamp: more than 300 s ahead/],
      [{ clientTimestamp: new Date(Date.now() - 86_400_000).toISOString() }, /events\[7\]\.clientTimestamp: before the attempt started/],
      [{ payload: { blob: 'x'.repeat(17_000) } }, /events\[7\]\.payload: \d+ bytes as JSON; at most 16384/],
    ];
    for (const [bad, message] of cases) {
      const events = batch(0, 10);
      events[7] = { ...events[7], ...bad };
      const result = await app.gql(RecordEventsDocument, { attemptId: attempt.id, events }, { token: attempt.student });
      expect(codeOf(result), JSON.stringify(bad).slice(0, 80)).toBe('BAD_USER_INPUT');
      expect(result.errors![0].message).toMatch(message);
    }
    const unknownSeverity = await app.gql(RecordEventsDocument, { attemptId: attempt.id, events: [{ ...event(0), severity: 'LOUD' as never }] }, { token: attempt.student });
    expect(codeOf(unknownSeverity)).toBe('BAD_USER_INPUT');
    // graphql-js's wording, which names the value and the enum (graphql-jit's names neither).
    expect(unknownSeverity.errors![0].message).toMatch(/Value "LOUD" does not exist in "MonitoringSeverity" enum/);
    const tooMany = await app.gql(RecordEventsDocument, { attemptId: attempt.id, events: batch(0, 1001) }, { token: attempt.student });
    expect(tooMany.errors![0].message).toMatch(/1001 events; at most 1000/);
    expect(await storedEvents(attempt.id)).toBe(0);
  });

  it('refuses another student, a teacher without rights, a finished attempt and an unknown one', async ({ attempt }) => {
    const other = await app.login('student6@example.edu');
    expect(codeOf(await app.gql(RecordEventsDocument, { attemptId: attempt.id, events: batch(0, 1) }, { token: other }))).toBe('NOT_FOUND');
    const teacher2 = await app.login('teacher2@example.edu');
    expect(codeOf(await app.gql(RecordEventsDocument, { attemptId: attempt.id, events: batch(0, 1) }, { token: teacher2 }))).toBe('NOT_FOUND');
    // The exam's own teacher may read events, but writes come from a proctoring service's key.
    expect(codeOf(await app.gql(RecordEventsDocument, { attemptId: attempt.id, events: batch(0, 1) }, { token: teacher }))).toBe('FORBIDDEN');
    const readKey = await app.gql(CreateApiKeyDocument, { input: { name: 'reader', scopes: ['read'] } }, { token: teacher });
    expect(codeOf(await app.gql(RecordEventsDocument, { attemptId: attempt.id, events: batch(0, 1) }, { apiKey: readKey.data!.createApiKey.key }))).toBe('FORBIDDEN');
    expect(codeOf(await app.gql(RecordEventsDocument, { attemptId: '00000000-0000-4000-8000-000000000000', events: batch(0, 1) }, { token: attempt.student }))).toBe('NOT_FOUND');

    await app.gql(SubmitAttemptDocument, { attemptId: attempt.id, submission: { responses: [] } }, { token: attempt.student });
    const finished = await app.gql(RecordEventsDocument, { attemptId: attempt.id, events: batch(0, 1) }, { token: attempt.student });
    expect(codeOf(finished)).toBe('BAD_USER_INPUT');
    expect(finished.errors![0].message).toMatch(/COMPLETED; events are accepted only while it is IN_PROGRESS/);
    expect(await storedEvents(attempt.id)).toBe(0);
  });
});

describe('flags', () => {
  const flagLog = (attemptId: string) =>
    app.db.sql(`select seq::int, reason, severity, student_id from student_flag_events where attempt_id = '${attemptId}' order by seq`);

  it('a critical event flags the attempt and the profile and appends one flag event; a repeat appends none', async ({ attempt }) => {
    const quiet = await app.gql(RecordEventsDocument, { attemptId: attempt.id, events: batch(0, 5) }, { token: attempt.student });
    expect(quiet.data!.recordMonitoringEvents.flagged).toBe(0);
    const critical = await app.gql(RecordEventsDocument, { attemptId: attempt.id, events: [...batch(5, 3), event(8, { severity: 'CRITICAL', eventType: 'face_missing' })] }, { token: attempt.student });
    expect(critical.data!.recordMonitoringEvents).toMatchObject({ accepted: 4, flagged: 1 });
    const again = await app.gql(RecordEventsDocument, { attemptId: attempt.id, events: [event(9, { severity: 'CRITICAL' })] }, { token: attempt.student });
    expect(again.data!.recordMonitoringEvents.flagged).toBe(0);

    const log = await flagLog(attempt.id);
    expect(log).toEqual([{ seq: expect.any(Number), reason: 'CRITICAL_EVENT', severity: 'CRITICAL', student_id: ids.student1 }]);
    const [state] = await app.db.sql(`select a.flagged, a.flag_severity, p.flagged_for_review from exam_attempts a
      join student_profiles p on p.user_id = a.student_id where a.id = '${attempt.id}'`);
    expect(state).toEqual({ flagged: true, flag_severity: 'CRITICAL', flagged_for_review: true });
  });

  it('concurrent critical batches of one attempt take turns: one flag event, every event stored', async ({ attempt }) => {
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        app.gql(RecordEventsDocument, { attemptId: attempt.id, events: [...batch(i * 10, 9), event(i * 10 + 9, { severity: 'CRITICAL' })] }, { token: attempt.student })),
    );
    expect(results.map((r) => r.data!.recordMonitoringEvents.accepted)).toEqual([10, 10, 10, 10, 10, 10]);
    expect(results.reduce((n, r) => n + r.data!.recordMonitoringEvents.flagged, 0)).toBe(1);
    expect(await flagLog(attempt.id)).toHaveLength(1);
    expect(await storedEvents(attempt.id)).toBe(60);
  });

  it('more anomalies in a batch than the threshold flag it WARNING, and a critical one later raises it', async ({ attempt }) => {
    const three = await app.gql(RecordEventsDocument, { attemptId: attempt.id, events: batch(0, 3, { isAnomaly: true, anomalyScore: 0.9 }) }, { token: attempt.student });
    expect(three.data!.recordMonitoringEvents.flagged).toBe(0);
    const four = await app.gql(RecordEventsDocument, { attemptId: attempt.id, events: batch(10, 4, { isAnomaly: true, anomalyScore: 0.9 }) }, { token: attempt.student });
    expect(four.data!.recordMonitoringEvents.flagged).toBe(1);
    // Resent anomalies are duplicates: they flag nothing.
    expect((await app.gql(RecordEventsDocument, { attemptId: attempt.id, events: batch(10, 4, { isAnomaly: true }) }, { token: attempt.student })).data!.recordMonitoringEvents).toMatchObject({ duplicates: 4, flagged: 0 });
    await app.gql(RecordEventsDocument, { attemptId: attempt.id, events: [event(20, { severity: 'CRITICAL' })] }, { token: attempt.student });
    expect((await flagLog(attempt.id)).map((f) => `${String(f.reason)}:${String(f.severity)}`)).toEqual(['ANOMALIES:WARNING', 'CRITICAL_EVENT:CRITICAL']);
  });

  it('an attempt flagged by its events can be submitted, and stays flagged whatever its score', async ({ attempt }) => {
    await app.gql(RecordEventsDocument, { attemptId: attempt.id, events: [event(0, { severity: 'CRITICAL' })] }, { token: attempt.student });
    const allRight = [{ questionId: 'q1', answer: '3/4' }, { questionId: 'q2', answer: '6' }, { questionId: 'q3', answer: '1/4' }];
    const submitted = await app.gql(SubmitAttemptDocument, { attemptId: attempt.id, submission: { responses: allRight } }, { token: attempt.student });
    expect(submitted.errors).toBeUndefined();
    expect(submitted.data!.submitAttempt).toMatchObject({ status: 'COMPLETED', passed: true, flagged: true });
  });

  it('concurrent flagging batches leave a gap-free log', async ({ attempt }) => {
    const [{ before }] = await app.db.sql(`select coalesce(max(seq), 0)::int as before from student_flag_events`);
    const others = await Promise.all(
      ['student6@example.edu', 'student11@example.edu', 'student16@example.edu'].map(async (email) => {
        const token = await app.login(email);
        const started = await app.gql(StartExamAttemptDocument, { examId: attempt.examId }, { token });
        return { token, id: started.data!.startAttempt.id };
      }),
    );
    await Promise.all(
      [{ token: attempt.student, id: attempt.id }, ...others].map((a) =>
        app.gql(RecordEventsDocument, { attemptId: a.id, events: [event(1, { severity: 'CRITICAL' })] }, { token: a.token }),
      ),
    );
    const seqs = (await app.db.sql(`select seq::int from student_flag_events where seq > ${Number(before)} order by seq`)).map((r) => r.seq);
    expect(seqs).toEqual([1, 2, 3, 4].map((n) => Number(before) + n));
  });
});

describe('reading events', () => {
  it('gives the exam\'s teacher the timeline in time order, filtered and paged', async ({ attempt }) => {
    await app.gql(RecordEventsDocument, {
      attemptId: attempt.id,
      events: [...batch(0, 30), ...batch(30, 5, { eventType: 'window_focus', severity: 'WARNING', isAnomaly: true, anomalyScore: 0.7, description: 'left the window' })],
    }, { token: attempt.student });
    const pages: string[] = [];
    let after: string | null | undefined;
    do {
      const page = await app.gql(EventTimelineDocument, { attemptId: attempt.id, first: 8, after }, { token: teacher });
      expect(page.errors, JSON.stringify(page.errors)).toBeUndefined();
      expect(page.data!.attemptMonitoring.totalCount).toBe(35);
      pages.push(...page.data!.attemptMonitoring.edges.map((e) => e.node.eventId));
      after = page.data!.attemptMonitoring.pageInfo.hasNextPage ? page.data!.attemptMonitoring.pageInfo.endCursor : null;
    } while (after);
    expect(pages).toEqual([...batch(0, 35)].map((e) => e.eventId));

    const anomalies = await app.gql(EventTimelineDocument, { attemptId: attempt.id, filter: { anomaliesOnly: true, types: ['window_focus'] } }, { token: teacher });
    expect(anomalies.data!.attemptMonitoring.edges.map((e) => e.node)).toHaveLength(5);
    expect(anomalies.data!.attemptMonitoring.edges[0].node).toMatchObject({ severity: 'WARNING', anomalyScore: 0.7, description: 'left the window' });
    const contains = await app.gql(EventTimelineDocument, { attemptId: attempt.id, filter: { payloadContains: { screen: 'side' }, to: new Date(now + 10).toISOString() } }, { token: teacher });
    expect(contains.data!.attemptMonitoring.edges.map((e) => e.node.eventId)).toEqual(['ev-1', 'ev-3', 'ev-5', 'ev-7', 'ev-9']);
    const badCursor = await app.gql(EventTimelineDocument, { attemptId: attempt.id, after: 'nope' }, { token: teacher });
    expect(codeOf(badCursor)).toBe('BAD_USER_INPUT');
  });

  it('gives the student counts only, and a teacher without a grant nothing', async ({ attempt }) => {
    await app.gql(RecordEventsDocument, { attemptId: attempt.id, events: [...batch(0, 4), event(4, { severity: 'CRITICAL', eventType: 'face_missing', isAnomaly: true })] }, { token: attempt.student });
    const summary = await app.gql(EventSummaryDocument, { attemptId: attempt.id }, { token: attempt.student });
    expect(summary.data!.monitoringSummary).toMatchObject({
      attemptId: attempt.id,
      totalEvents: 5,
      anomalyCount: 1,
      bySeverity: [{ severity: 'NORMAL', count: 4 }, { severity: 'WARNING', count: 0 }, { severity: 'CRITICAL', count: 1 }],
      byType: [{ eventType: 'eye_movement', count: 4 }, { eventType: 'face_missing', count: 1 }],
    });
    const timeline = await app.gql(EventTimelineDocument, { attemptId: attempt.id }, { token: attempt.student });
    expect(timeline.data).toBeNull();
    expect(codeOf(timeline)).toBe('FORBIDDEN');
    expect(JSON.stringify(timeline)).not.toMatch(/eye_movement|gaze/);

    const teacher2 = await app.login('teacher2@example.edu');
    expect(codeOf(await app.gql(EventTimelineDocument, { attemptId: attempt.id }, { token: teacher2 }))).toBe('NOT_FOUND');
    expect(codeOf(await app.gql(EventSummaryDocument, { attemptId: attempt.id }, { token: teacher2 }))).toBe('NOT_FOUND');
    const other = await app.login('student6@example.edu');
    expect(codeOf(await app.gql(EventSummaryDocument, { attemptId: attempt.id }, { token: other }))).toBe('NOT_FOUND');
  });
});

describe('partitions', () => {
  it('exist for this month and the next from the start, and the job creates the months ahead', async () => {
    const month = (offset: number) => {
      const d = new Date();
      return partitionName(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + offset, 1)));
    };
    const exists = async (name: string) => (await app.db.sql(`select to_regclass('${name}') is not null as e`))[0].e;
    expect(await exists(month(0))).toBe(true);
    expect(await exists(month(1))).toBe(true);
    expect(await exists(month(2))).toBe(false);
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: app.db.url, JWT_SECRET: TEST_JWT_SECRET });
    const job = scheduledJobs(config).find((j) => j.name === 'monitoring-partitions')!;
    const run = await runJob(app.assay.database.orm, config, job, JobTrigger.CLI);
    expect(run).toMatchObject({ rowsAffected: 1, details: { created: [month(2)] } });
    expect(await exists(month(2))).toBe(true);
  });

  it('an attempt that started in a month without a partition gets one when its events arrive', async ({ attempt }) => {
    const started = new Date(Date.UTC(2024, 4, 10));
    await app.db.sql(`update exam_attempts set started_at = '${started.toISOString()}', created_at = '${started.toISOString()}' where id = '${attempt.id}'`);
    const result = await app.gql(RecordEventsDocument, { attemptId: attempt.id, events: batch(0, 2) }, { token: attempt.student });
    expect(result.data!.recordMonitoringEvents.accepted).toBe(2);
    const [row] = await app.db.sql(`select tableoid::regclass::text as partition from monitoring_events where attempt_id = '${attempt.id}' limit 1`);
    expect(row.partition).toBe('monitoring_events_p202405');
  });
});
