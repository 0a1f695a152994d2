import { PubSub } from 'graphql-subscriptions';
import { afterAll, beforeAll, describe, expect, it as base } from 'vitest';
import { FlagFeed } from '../src/services/flags/flag-feed';
import { flagStream, type PageAccess } from '../src/services/flags/flag-stream';
import { attemptsOf, raiseFlag } from './support/flags';
import { startTestApp, type TestApp } from './support/app';

/*
 * The flag feed itself, on a real database: subscribers of one credential are woken only for
 * rows one of them would deliver, and new rows are screened once for all of them.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ LIVE_POLL_MS: '60000' });
});
afterAll(() => app?.stop());

type Access = PageAccess<null>;

/** Reads of the log at least this far apart, in the gathering feed: long, so a slow machine still raises a burst within it. */
const GATHER_MS = 1500;

interface Fixtures {
  /** A started feed of its own (woken only by announceFlag: its poll is an hour), stopped after the test. */
  feed: FlagFeed;
  /** The same with reads of the log GATHER_MS apart, and how many reads it made so far. */
  gathering: { feed: FlagFeed; reads: () => number };
}

/** A feed of its own on the test database, counting its reads of the log. */
function countingFeed(options: { gatherMs?: number } = {}) {
  const connection = app.assay.database.orm.em.getConnection();
  let reads = 0;
  const feed = new FlagFeed(
    (sql, params) => {
      if (sql.includes('from student_flag_events')) reads++;
      return connection.execute(sql, params);
    },
    new PubSub(),
    { pollMs: 3_600_000, maxLag: 1000, channel: 'flag-feed-test', ...options },
  );
  return { feed, reads: () => reads };
}

const it = base.extend<Fixtures>({
  feed: async ({ task: _task }, use) => {
    const { feed } = countingFeed();
    await feed.start();
    await use(feed);
    await feed.stop();
  },
  gathering: async ({ task: _task }, use) => {
    const gathering = countingFeed({ gatherMs: GATHER_MS });
    await gathering.feed.start();
    await use(gathering);
    await gathering.feed.stop();
  },
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

/** `count` subscribers sharing one credential (caught up, or from `after`), each waiting for its first delivery. */
function subscribers(feed: FlagFeed, count: number, access: () => Promise<Access>, after: number | null = null) {
  const streams = Array.from({ length: count }, () =>
    flagStream(feed, { after, filter: {}, access, tooFarBehind: () => undefined, accessKey: 'one credential' }),
  );
  return { firsts: streams.map((s) => s.next()), stop: () => Promise.all(streams.map((s) => s.return(undefined))) };
}

describe('waking subscribers', () => {
  it('screens new rows once for the subscribers of one credential, and wakes them only for a row they may see', async ({ feed }) => {
    const [visible] = await attemptsOf(app, 'teacher1', 1);
    const hidden = await attemptsOf(app, 'teacher2', 3);
    let checks = 0;
    const following = subscribers(feed, 10, async () => {
      checks++;
      return { context: null, visibleExams: new Set([visible.examId]) };
    });
    await settle();
    for (const attempt of hidden) await raiseFlag(app, attempt.id);
    feed.announceFlag();
    await settle();
    expect(checks, 'one screening of the three rows, no subscriber woken').toBe(1);

    const seq = await raiseFlag(app, visible.id);
    feed.announceFlag();
    const delivered = await Promise.all(following.firsts);
    expect(delivered.map((d) => (d.done ? null : d.value.payload.seq))).toEqual(Array(10).fill(seq));
    await following.stop();
  });

  it('asks no access for rows it knows, without asking, that none may be delivered', async ({ feed }) => {
    const [visible] = await attemptsOf(app, 'teacher1', 1);
    const [hidden] = await attemptsOf(app, 'teacher2', 1);
    let checks = 0;
    const stream = flagStream(feed, {
      after: null,
      filter: {},
      access: async () => {
        checks++;
        return { context: null, visibleExams: new Set([visible.examId]) };
      },
      seesNoneOf: (flags) => flags.every((f) => f.examId === hidden.examId),
      tooFarBehind: () => undefined,
      accessKey: 'one credential',
    });
    const first = stream.next();
    await settle();
    await raiseFlag(app, hidden.id);
    feed.announceFlag();
    await settle();
    expect(checks, 'the hidden row passed over without asking').toBe(0);
    const seq = await raiseFlag(app, visible.id);
    feed.announceFlag();
    const delivered = await first;
    expect(delivered.done ? null : delivered.value.payload.seq).toBe(seq);
    expect(checks).toBe(1);
    await stream.return(undefined);
  });

  it('misses no row that arrives while an earlier screening still waits for its access check', async ({ feed }) => {
    const [visible] = await attemptsOf(app, 'teacher1', 1);
    const [hidden] = await attemptsOf(app, 'teacher2', 1);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const following = subscribers(feed, 3, async () => {
      await gate;
      return { context: null, visibleExams: new Set([visible.examId]) };
    });
    await settle();
    await raiseFlag(app, hidden.id);
    feed.announceFlag();
    await settle();
    const seq = await raiseFlag(app, visible.id);
    feed.announceFlag();
    await settle();
    release();
    const delivered = await Promise.all(following.firsts);
    expect(delivered.map((d) => (d.done ? null : d.value.payload.seq))).toEqual([seq, seq, seq]);
    await following.stop();
  });

  it('screens subscribers that are behind the head together too, and hands them what the screening found', async ({ feed }) => {
    const [visible] = await attemptsOf(app, 'teacher1', 1);
    const [hidden] = await attemptsOf(app, 'teacher2', 1);
    const before = await raiseFlag(app, hidden.id);
    const seq = await raiseFlag(app, visible.id);
    feed.announceFlag();
    await settle();
    let checks = 0;
    const behind = subscribers(
      feed,
      10,
      async () => {
        checks++;
        return { context: null, visibleExams: new Set([visible.examId]) };
      },
      before - 1,
    );
    const delivered = await Promise.all(behind.firsts);
    expect(delivered.map((d) => (d.done ? null : d.value.payload.seq))).toEqual(Array(10).fill(seq));
    expect(checks, 'one screening of both rows for the ten, no check of its own by any').toBe(1);
    await behind.stop();
  });
});

describe('reading the log', () => {
  const quiet = () => new Promise((resolve) => setTimeout(resolve, GATHER_MS + 200));

  it('reads a flag after a quiet spell at once, and flags raised soon after a read in one read', async ({ gathering }) => {
    const { feed, reads } = gathering;
    const attempts = await attemptsOf(app, 'teacher1', 4);
    const stream = flagStream(feed, {
      after: null,
      filter: {},
      access: async () => ({ context: null, visibleExams: 'all' }),
      tooFarBehind: () => undefined,
      accessKey: 'one credential',
    });
    const seqOf = async () => {
      const next = await stream.next();
      return next.done ? null : next.value.payload.seq;
    };
    await quiet();
    const before = reads();

    const first = await raiseFlag(app, attempts[0].id);
    feed.announceFlag();
    expect(await seqOf()).toBe(first);
    expect(reads(), 'the first flag read alone, without waiting').toBe(before + 1);

    const burst: number[] = [];
    for (const attempt of attempts.slice(1)) {
      burst.push(await raiseFlag(app, attempt.id));
      feed.announceFlag();
    }
    for (const seq of burst) expect(await seqOf()).toBe(seq);
    expect(reads(), 'the three flags raised within the gap read together').toBe(before + 2);
    await stream.return(undefined);
  });

  it('stopping ends a read still waiting for its gap: nothing is read after stop', async ({ gathering }) => {
    const { feed, reads } = gathering;
    const [attempt] = await attemptsOf(app, 'teacher1', 1);
    await quiet();
    await raiseFlag(app, attempt.id);
    feed.announceFlag();
    await raiseFlag(app, attempt.id);
    feed.announceFlag();
    await feed.stop();
    const atStop = reads();
    await quiet();
    expect(reads()).toBe(atStop);
  });
});
