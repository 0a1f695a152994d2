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

interface Fixtures {
  /** A started feed of its own (woken only by announceFlag: its poll is an hour), stopped after the test. */
  feed: FlagFeed;
}

const it = base.extend<Fixtures>({
  feed: async ({ task: _task }, use) => {
    const connection = app.assay.database.orm.em.getConnection();
    const feed = new FlagFeed((sql, params) => connection.execute(sql, params), new PubSub(), { pollMs: 3_600_000, maxLag: 1000, channel: 'flag-feed-test' });
    await feed.start();
    await use(feed);
    await feed.stop();
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
