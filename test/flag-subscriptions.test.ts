import { print } from 'graphql';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it as base } from 'vitest';
import WebSocket from 'ws';
import { FlagReason, MonitoringSeverity, type FlagSeverity } from '../src/entities/monitoring-enums';
import { TokenService } from '../src/auth/tokens';
import { appendFlag } from '../src/services/flags/flag-log';
import { attemptsOf as attemptsOfTeacher, raiseFlag } from './support/flags';
import {
  CreateApiKeyDocument,
  CreateExamDocument,
  FlagFeedDocument,
  GrantExamPermissionDocument,
  LockUserDocument,
  PublishExamDocument,
  RecordEventsDocument,
  StartExamAttemptDocument,
  RevokeExamPermissionDocument,
  type FlagFeedSubscription,
} from './generated/graphql';
import { gqlClient, startInstance, startTestApp, type TestApp } from './support/app';
import { TEST_JWT_SECRET } from './support/constants';
import { examInput, userIds } from './support/exams';
import { REDIS_URL, redisReachable } from './support/redis';
import { subscribe, until, type Subscriber } from './support/subscriptions';

/*
 * studentFlagged through a real graphql-ws client against a real server. Flags are appended
 * with the flag log's own appendFlag on the demo data's completed attempts (one transaction
 * each, as the services do) and reach subscribers through the feed's poll (LIVE_POLL_MS).
 */
let app: TestApp;
let ids: Record<string, string>;
let tokens: Record<'admin' | 'teacher1' | 'teacher2' | 'student1', string>;

beforeAll(async () => {
  app = await startTestApp({ LIVE_POLL_MS: '100' });
  ids = await userIds(app);
  const [admin, teacher1, teacher2, student1] = await Promise.all(
    ['admin', 'teacher1', 'teacher2', 'student1'].map((name) => app.login(`${name}@example.edu`)),
  );
  tokens = { admin, teacher1, teacher2, student1 };
});
afterAll(() => app?.stop());

type Flag = FlagFeedSubscription['studentFlagged'];

const attemptsOf = (teacher: string, count: number) => attemptsOfTeacher(app, teacher, count);
const raise = (attemptId: string, severity?: FlagSeverity) => raiseFlag(app, attemptId, severity);

interface Fixtures {
  follow: (params: Record<string, unknown>, variables?: { after?: string; filter?: Record<string, unknown> }) => Subscriber<{ studentFlagged: Flag }>;
}

const it = base.extend<Fixtures>({
  follow: async ({ task: _task }, use) => {
    const opened: Subscriber<unknown>[] = [];
    await use((params, variables = {}) => {
      const subscriber = subscribe(app.url, FlagFeedDocument, variables, params);
      opened.push(subscriber);
      return subscriber;
    });
    await Promise.all(opened.map((s) => s.stop()));
  },
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
/** A connected stream is acknowledged before its subscription is set up: give the server that moment before raising a flag. */
const subscribed = () => new Promise((r) => setTimeout(r, 200));
const seqs = (events: { studentFlagged: Flag }[]) => events.map((e) => e.studentFlagged.seq);

describe('who receives a flag', () => {
  it('a teacher gets flags of exams they may view and not of others; an admin gets both', async ({ follow }) => {
    const [mine] = await attemptsOf('teacher1', 1);
    const [theirs] = await attemptsOf('teacher2', 1);
    const teacher = follow(bearer(tokens.teacher1));
    const admin = follow(bearer(tokens.admin));
    await Promise.all([teacher.connected, admin.connected]);
    await subscribed();
    const other = await raise(theirs.id);
    const own = await raise(mine.id, MonitoringSeverity.CRITICAL);
    const [received] = await teacher.received(1);
    expect(received.studentFlagged).toMatchObject({ seq: own, severity: 'CRITICAL', reason: 'ANOMALIES', exam: { id: mine.examId }, attempt: { id: mine.id } });
    expect(received.studentFlagged.student?.id).toBeTruthy();
    expect(seqs(await admin.received(2))).toEqual([other, own]);
    await new Promise((r) => setTimeout(r, 300));
    expect(seqs(teacher.events)).toEqual([own]);
    expect(teacher.errors).toEqual([]);
  });

  it('connections woken by the same flags share work, never rows: each gets exactly what its own viewer may see', async ({ follow }) => {
    const [mine] = await attemptsOf('teacher1', 1);
    const [theirs] = await attemptsOf('teacher2', 1);
    const teacher1 = [follow(bearer(tokens.teacher1)), follow(bearer(tokens.teacher1)), follow(bearer(tokens.teacher1))];
    const teacher2 = [follow(bearer(tokens.teacher2)), follow(bearer(tokens.teacher2))];
    const admin = follow(bearer(tokens.admin));
    const everyone = [...teacher1, ...teacher2, admin];
    await Promise.all(everyone.map((s) => s.connected));
    await subscribed();
    // Appended back to back, so that one read of the log wakes every connection at once.
    const [own, other] = await Promise.all([raise(mine.id), raise(theirs.id)]);
    const firstOwn = (await teacher1[0].received(1))[0].studentFlagged;
    for (const s of teacher1) expect((await s.received(1)).map((e) => e.studentFlagged)).toEqual([firstOwn]);
    expect(firstOwn).toMatchObject({ seq: own, exam: { id: mine.examId }, attempt: { id: mine.id } });
    for (const s of teacher2) expect((await s.received(1)).map((e) => e.studentFlagged)).toMatchObject([{ seq: other, exam: { id: theirs.examId } }]);
    expect(seqs(await admin.received(2)).sort((x, y) => x - y)).toEqual([own, other].sort((x, y) => x - y));
    await new Promise((r) => setTimeout(r, 300));
    for (const s of [...teacher1, ...teacher2]) {
      expect(s.events).toHaveLength(1);
      expect(s.errors).toEqual([]);
    }
  });

  it('subscriptions on one connection each get their own frames, under their own id', async () => {
    const [attempt] = await attemptsOf('teacher1', 1);
    const client = createClient({ url: app.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: bearer(tokens.teacher1), retryAttempts: 0 });
    const received: Record<'all' | 'critical', number[]> = { all: [], critical: [] };
    const errors: unknown[] = [];
    const follow = (into: number[], filter: Record<string, unknown>) =>
      client.subscribe<FlagFeedSubscription>(
        { query: print(FlagFeedDocument), variables: { filter } },
        { next: ({ data }) => data && into.push(data.studentFlagged.seq), error: (error) => errors.push(error), complete: () => undefined },
      );
    try {
      follow(received.all, {});
      follow(received.critical, { minSeverity: 'CRITICAL' });
      await new Promise<void>((resolve) => client.on('connected', () => resolve()));
      await subscribed();
      const warning = await raise(attempt.id);
      const critical = await raise(attempt.id, MonitoringSeverity.CRITICAL);
      await until(() => received.all.length >= 2, 10_000, () => `two flags (got ${JSON.stringify(received)})`);
      await new Promise((r) => setTimeout(r, 300));
      expect(received).toEqual({ all: [warning, critical], critical: [critical] });
      expect(errors).toEqual([]);
    } finally {
      await client.dispose();
    }
  });

  it('a student is refused and receives nothing', async ({ follow }) => {
    const student = follow(bearer(tokens.student1));
    await student.connected;
    const [attempt] = await attemptsOf('teacher1', 1);
    await raise(attempt.id);
    await new Promise((r) => setTimeout(r, 300));
    expect(student.events).toEqual([]);
    expect(student.errors[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('the filter narrows by exam and severity', async ({ follow }) => {
    const [a, b] = await attemptsOf('teacher1', 40).then((rows) => [rows[0], rows.find((r) => r.examId !== rows[0].examId)!]);
    const critical = follow(bearer(tokens.teacher1), { filter: { examId: a.examId, minSeverity: 'CRITICAL' } });
    await critical.connected;
    await subscribed();
    await raise(a.id, MonitoringSeverity.WARNING);
    await raise(b.id, MonitoringSeverity.CRITICAL);
    const wanted = await raise(a.id, MonitoringSeverity.CRITICAL);
    expect(seqs(await critical.received(1))).toEqual([wanted]);
    await new Promise((r) => setTimeout(r, 300));
    expect(critical.events).toHaveLength(1);
  });
});

describe('credentials', () => {
  // Bad, forged and revoked credentials: test/token-attacks.test.ts.
  it('a connection without credentials is closed with 4401 and a reason', async ({ follow }) => {
    const none = await follow({}).closed;
    expect(none.code).toBe(4401);
    expect(none.reason).toMatch(/connectionParams/);
  });

  it('an API key needs the subscribe scope (4403 without it)', async ({ follow }) => {
    const create = (scopes: string[]) => app.gql(CreateApiKeyDocument, { input: { name: `feed ${scopes.join(',')}`, scopes } }, { token: tokens.teacher1 });
    const readOnly = (await create(['read'])).data!.createApiKey.key;
    const refused = await follow({ apiKey: readOnly }).closed;
    expect(refused).toMatchObject({ code: 4403, reason: expect.stringMatching(/subscribe/) });

    const withScope = (await create(['read', 'subscribe'])).data!.createApiKey.key;
    const keyed = follow({ apiKey: withScope });
    await keyed.connected;
    await subscribed();
    const [attempt] = await attemptsOf('teacher1', 1);
    const seq = await raise(attempt.id);
    expect(seqs(await keyed.received(1))).toEqual([seq]);
  });

  it('a connection is closed with 4401 when its access token expires', async ({ follow }) => {
    const login = await app.login('teacher4@example.edu');
    const claims = JSON.parse(Buffer.from(login.split('.')[1], 'base64url').toString('utf8')) as { sub: string; sid: string };
    const shortLived = new TokenService({ secret: TEST_JWT_SECRET, issuer: 'assay', audience: 'assay-api', accessTtlSeconds: 1, refreshTtlSeconds: 300 });
    const { token } = await shortLived.signAccess(claims.sub, claims.sid);
    const stream = follow(bearer(token));
    await stream.connected;
    expect(await stream.closed).toEqual({ code: 4401, reason: 'Token expired' });
  });

  it('a locked account is cut off at the next event', async ({ follow }) => {
    const teacher3 = await app.login('teacher3@example.edu');
    const stream = follow(bearer(teacher3));
    await stream.connected;
    await subscribed();
    const [attempt] = await attemptsOf('teacher3', 1);
    await raise(attempt.id);
    await stream.received(1);
    await app.gql(LockUserDocument, { userId: ids.teacher3 }, { token: tokens.admin });
    await raise(attempt.id, MonitoringSeverity.CRITICAL);
    expect((await stream.closed).code).toBe(4401);
    expect(stream.events).toHaveLength(1);
  });

  it('a locked account is cut off at the next event even when that event is of an exam it may not view', async ({ follow }) => {
    const teacher5 = await app.login('teacher5@example.edu');
    const stream = follow(bearer(teacher5));
    await stream.connected;
    await subscribed();
    const [own] = await attemptsOf('teacher5', 1);
    const [others] = await attemptsOf('teacher2', 1);
    await raise(own.id);
    await stream.received(1);
    // Seen once, the server knows from memory that teacher5 may not view this exam.
    await raise(others.id);
    await new Promise((r) => setTimeout(r, 300));
    await app.gql(LockUserDocument, { userId: ids.teacher5 }, { token: tokens.admin });
    await raise(others.id, MonitoringSeverity.CRITICAL);
    expect((await stream.closed).code).toBe(4401);
    expect(stream.events).toHaveLength(1);
  });

  it('a revoked exam grant stops that exam, and only that exam', async ({ follow }) => {
    const [granted] = await attemptsOf('teacher2', 1);
    const [own] = await attemptsOf('teacher1', 1);
    const grant = { teacherId: ids.teacher1, examId: granted.examId };
    await app.gql(GrantExamPermissionDocument, { ...grant, canView: true }, { token: tokens.teacher2 });
    const stream = follow(bearer(tokens.teacher1));
    await stream.connected;
    await subscribed();
    const first = await raise(granted.id);
    expect(seqs(await stream.received(1))).toEqual([first]);
    await app.gql(RevokeExamPermissionDocument, grant, { token: tokens.teacher2 });
    await raise(granted.id, MonitoringSeverity.CRITICAL);
    const mine = await raise(own.id);
    expect(seqs(await stream.received(2))).toEqual([first, mine]);
  });

  it('an exam handed to another teacher in plain SQL, outside any server, follows its new creator from the next event', async ({ follow }) => {
    const attempts = await attemptsOf('teacher1', 50);
    const moved = attempts[0];
    const kept = attempts.find((a) => a.examId !== moved.examId)!;
    expect(kept).toBeDefined();
    const [teacher1, teacher2] = [follow(bearer(tokens.teacher1)), follow(bearer(tokens.teacher2))];
    await Promise.all([teacher1.connected, teacher2.connected]);
    await subscribed();
    // Delivered, so the server now holds teacher1's rights on the exam in memory.
    const before = await raise(moved.id);
    expect(seqs(await teacher1.received(1))).toEqual([before]);
    await app.db.sql(`update exams set creator_id = '${ids.teacher2}' where id = '${moved.examId}'`);
    try {
      const after = await raise(moved.id, MonitoringSeverity.CRITICAL);
      const own = await raise(kept.id);
      expect(seqs(await teacher2.received(1))).toEqual([after]);
      expect(seqs(await teacher1.received(2))).toEqual([before, own]);
    } finally {
      await app.db.sql(`update exams set creator_id = '${ids.teacher1}' where id = '${moved.examId}'`);
    }
  });
});

describe('cursor replay', () => {
  it('after a cursor, exactly the events that followed it, in order, then live ones, with no gap or duplicate at the seam', async ({ follow }) => {
    const attempts = await attemptsOf('teacher1', 7);
    const first = follow(bearer(tokens.admin));
    await first.connected;
    await subscribed();
    const raised = [await raise(attempts[0].id), await raise(attempts[1].id)];
    const seen = await first.received(2);
    expect(seqs(seen)).toEqual(raised);
    await first.stop();

    // Missed while disconnected, then raised while the reconnected client replays.
    for (const a of attempts.slice(2, 5)) raised.push(await raise(a.id));
    const resumed = follow(bearer(tokens.admin), { after: seen[1].studentFlagged.cursor });
    const during = Promise.all([raise(attempts[5].id), raise(attempts[6].id)]);
    raised.push(...(await during).sort((x, y) => x - y));
    const expected = raised.slice(2);
    expect(seqs(await resumed.received(expected.length))).toEqual(expected);
    await new Promise((r) => setTimeout(r, 300));
    expect(seqs(resumed.events)).toEqual(expected);
  });

  it('a cursor that is not one is refused as BAD_USER_INPUT', async ({ follow }) => {
    const stream = follow(bearer(tokens.admin), { after: 'garbage' });
    await stream.connected;
    await new Promise((r) => setTimeout(r, 300));
    expect(stream.errors[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('falling behind', () => {
  it('a live subscriber more than SUBSCRIPTION_MAX_LAG flags behind is closed with 1013 and told to reconnect with its cursor', async ({ follow: _follow }) => {
    const strict = await startInstance(app.db.url, { SUBSCRIPTION_MAX_LAG: '3', LIVE_POLL_MS: '100' });
    const stream = subscribe(strict.url, FlagFeedDocument, {}, bearer(tokens.admin));
    try {
      await stream.connected;
      await new Promise((r) => setTimeout(r, 300));
      const attempts = await attemptsOf('teacher1', 10);
      // Ten flags in one transaction: the feed reads them at once, ten ahead of the subscriber.
      await app.assay.database.orm.em.fork().transactional(async (tx) => {
        for (const a of attempts) await appendFlag(tx, { attemptId: a.id, reason: FlagReason.ANOMALIES, severity: MonitoringSeverity.WARNING, details: {} });
      });
      expect(await stream.closed).toMatchObject({ code: 1013, reason: expect.stringMatching(/cursor/) });
    } finally {
      await stream.stop();
      await strict.stop();
    }
  });
});

describe('across instances (Redis)', async () => {
  const available = await redisReachable();
  if (!available) console.info(`[flag-subscriptions] Redis not reachable at ${REDIS_URL}: the cross-instance tests do not run here`);

  it.runIf(available)('a flag raised through instance A reaches a subscriber on instance B, woken through Redis (no poll within the test)', async () => {
    const env = { REDIS_URL, LIVE_POLL_MS: '60000' };
    const [a, b] = await Promise.all([startInstance(app.db.url, env), startInstance(app.db.url, env)]);
    const stream = subscribe(b.url, FlagFeedDocument, {}, bearer(tokens.teacher1));
    try {
      const exam = await app.gql(CreateExamDocument, { input: examInput({ title: 'Across instances' }) }, { token: tokens.teacher1 });
      const examId = exam.data!.createExam.id;
      await app.gql(PublishExamDocument, { id: examId }, { token: tokens.teacher1 });
      const student = await app.login('student6@example.edu');
      const attemptId = (await app.gql(StartExamAttemptDocument, { examId }, { token: student })).data!.startAttempt.id;
      await stream.connected;
      await new Promise((r) => setTimeout(r, 300));
      const recorded = await gqlClient(a.url)(
        RecordEventsDocument,
        { attemptId, events: [{ eventId: 'x1', eventType: 'face_detection', severity: 'CRITICAL', clientTimestamp: new Date().toISOString() }] },
        { token: student },
      );
      expect(recorded.data!.recordMonitoringEvents.flagged).toBe(1);
      const [event] = await stream.received(1, 5000);
      expect(event.studentFlagged).toMatchObject({ attempt: { id: attemptId }, exam: { id: examId }, severity: 'CRITICAL' });
    } finally {
      await stream.stop();
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
