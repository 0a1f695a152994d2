import type { PubSubEngine } from 'graphql-subscriptions';
import type { FlagReason, MonitoringSeverity } from '../../entities/monitoring-enums';
import { logger } from '../../logger';
import { Coalesced } from '../live/coalesced';

/** One row of `student_flag_events`, with the student's cohort as it is now. */
export interface FlagLogEntry {
  seq: number;
  studentId: string;
  attemptId: string;
  examId: string;
  reason: FlagReason;
  severity: MonitoringSeverity;
  details: Record<string, unknown>;
  at: Date;
  cohort: string | null;
}

/** What writers tell the live side after their transaction committed. */
export interface LiveAnnouncer {
  announceFlag(): void;
  announceAttempt(attemptId: string): void;
}

export type Query = <T>(sql: string, params: unknown[]) => Promise<T[]>;

/** A live reader of the feed: where it is, so the feed can close one that falls too far behind. */
export interface FeedReader {
  cursor: number;
  tooFarBehind(): void;
}

/** What one screening of new rows found for the readers of one key. */
export interface Screening {
  /** The rows screened (in seq order) that the readers would deliver now. */
  deliverable: readonly FlagLogEntry[];
}

/**
 * How a waiting reader decides whether new rows are worth waking it for. Readers with the
 * same key (one credential and one filter) share one screening of the rows the log gained,
 * and a woken reader is handed that screening, so it delivers without checking again.
 */
export interface WakeScreen<S extends Screening> {
  key: string;
  /** Screens `entries` (in seq order); null wakes the readers regardless, to find out for themselves. */
  screen(entries: FlagLogEntry[]): Promise<S | null>;
}

/** What woke a reader: a screening of every row up to `upTo`, of which some lie beyond its cursor. */
export interface Screened<S extends Screening> {
  screening: S;
  upTo: number;
}

interface Waiter {
  reader: FeedReader;
  screen: WakeScreen<Screening>;
  /** Whether a screening that covers this waiter is under way. */
  screening: boolean;
  done: (screened: Screened<Screening> | null) => void;
}

const PAGE = 500;
/** How long start-up waits for the wake-up subscription before serving on the poll alone. */
const SUBSCRIBE_WAIT_MS = 2000;

interface Row {
  seq: string;
  student_id: string;
  attempt_id: string;
  exam_id: string;
  reason: FlagReason;
  severity: MonitoringSeverity;
  details: Record<string, unknown>;
  created_at: Date | string;
  cohort: string | null;
}

const entry = (r: Row): FlagLogEntry => ({
  seq: Number(r.seq),
  studentId: r.student_id,
  attemptId: r.attempt_id,
  examId: r.exam_id,
  reason: r.reason,
  severity: r.severity,
  details: r.details,
  at: new Date(r.created_at),
  cohort: r.cohort,
});

/**
 * This instance's view of the flag log. PostgreSQL is the record: the feed reads "every row
 * after seq N" from it when woken (a pub/sub message from any instance, in-process or through
 * Redis) and every `pollMs` regardless, so a lost message or a write by another process is
 * caught up within a poll. It keeps the newest rows in memory, so live subscribers read them
 * without a statement each; one further behind reads its page from the log. Nothing is
 * queued per subscriber: each reads from the log at its own pace.
 */
export class FlagFeed implements LiveAnnouncer {
  private head = 0;
  private recent: FlagLogEntry[] = [];
  private waiters = new Set<Waiter>();
  private releaseScheduled = false;
  private readers = new Set<FeedReader>();
  private attemptWatchers = new Map<string, Set<() => void>>();
  private readonly logReads: Coalesced;
  private timer: NodeJS.Timeout | null = null;
  private subscriptions: number[] = [];
  private growthListeners = new Set<() => void>();

  constructor(
    private readonly query: Query,
    private readonly pubsub: PubSubEngine,
    private readonly options: {
      pollMs: number;
      maxLag: number;
      /** Names this database's channels, so deployments sharing a Redis do not wake each other. */
      channel: string;
      /** The newest rows held in memory: at least this many once the log has them, at most twice. */
      keep?: number;
      /**
       * How long after a read of the log ends the next may start: under a stream of flags one
       * read, one screening per key and one delivery context per principal serve several.
       */
      gatherMs?: number;
    },
  ) {
    this.logReads = new Coalesced(
      () => this.catchUp(),
      (error: unknown) => logger.warn({ err: error }, 'flag log not read; next poll retries'),
      options.gatherMs ?? 0,
    );
  }

  private get flagTopic() {
    return `${this.options.channel}:flag-log`;
  }

  private get attemptTopic() {
    return `${this.options.channel}:attempt-updated`;
  }

  async start(): Promise<void> {
    const [row] = await this.query<{ seq: string }>('select seq from student_flag_log_head', []);
    this.head = Number(row?.seq ?? 0);
    const subscribed = Promise.all([
      this.pubsub.subscribe(this.flagTopic, () => this.wake(), {}),
      this.pubsub.subscribe(this.attemptTopic, (message: { attemptId: string }) => this.attemptChanged(message.attemptId), {}),
    ]).then(
      (ids) => {
        this.subscriptions = ids;
        // What was published before the subscription took is in the log.
        this.wake();
        return true;
      },
      (error: unknown) => {
        logger.warn({ err: error }, 'live wake-ups not subscribed; reading the flag log every LIVE_POLL_MS');
        return false;
      },
    );
    // Redis down at start-up: serve on the poll, and take wake-ups once it is back.
    const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), SUBSCRIBE_WAIT_MS).unref());
    if ((await Promise.race([subscribed, timeout])) === null) logger.warn('live wake-ups not subscribed yet; reading the flag log every LIVE_POLL_MS meanwhile');
    this.timer = setInterval(() => {
      this.wake();
      for (const id of this.attemptWatchers.keys()) this.attemptChanged(id);
    }, this.options.pollMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const id of this.subscriptions) this.pubsub.unsubscribe(id);
    this.subscriptions = [];
    for (const waiter of [...this.waiters]) waiter.done(null);
    await this.logReads.stop();
  }

  /** The newest seq this instance has read. */
  get latest(): number {
    return this.head;
  }

  /** Tells every instance the log grew; call it after the appending transaction committed. */
  announceFlag(): void {
    this.publish(this.flagTopic, { at: Date.now() });
  }

  /** Tells every instance an attempt's events, flag or analysis changed (after the commit). */
  announceAttempt(attemptId: string): void {
    this.publish(this.attemptTopic, { attemptId });
  }

  private publish(topic: string, payload: object) {
    // A lost wake-up costs at most one poll: the log, not the message, is the record.
    this.pubsub.publish(topic, payload).catch((error: unknown) => logger.warn({ err: error, topic }, 'live wake-up not published'));
  }

  /** Up to `limit` rows after `seq`, in order: from memory when they are recent, else from the log. */
  async after(seq: number, limit: number): Promise<FlagLogEntry[]> {
    if (seq >= this.head) return [];
    return this.recentAfter(seq, limit) ?? (await this.read(seq, Math.min(limit, this.head - seq))).map(entry);
  }

  /** Up to `limit` rows after `seq` from memory; null when memory no longer holds the row right after it. */
  private recentAfter(seq: number, limit: number): FlagLogEntry[] | null {
    const first = this.recent[0];
    if (!first || seq < first.seq - 1) return null;
    // Binary search: every live reader looks its place up on every wake-up.
    let [low, high] = [0, this.recent.length];
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.recent[middle].seq > seq) high = middle;
      else low = middle + 1;
    }
    return this.recent.slice(low, low + limit);
  }

  /**
   * Resolves once the log holds a row after the reader's cursor that its `screen` would
   * deliver, with that screening: readers of one key are screened together whether they
   * wait for new rows or are still behind the head. Resolves with null when `signal`
   * aborts, when the feed stops, or when a screening could not answer (the rows are no
   * longer in memory, or the screen failed): the reader then reads and checks the log
   * itself. Rows it would not deliver move the cursor past them.
   */
  waitBeyond<S extends Screening>(reader: FeedReader, signal: AbortSignal, screen: WakeScreen<S>): Promise<Screened<S> | null> {
    if (signal.aborted) return Promise.resolve(null);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        reader,
        screen,
        screening: false,
        done: (screened) => {
          this.waiters.delete(waiter);
          signal.removeEventListener('abort', abort);
          resolve(screened as Screened<S> | null);
        },
      };
      const abort = () => waiter.done(null);
      this.waiters.add(waiter);
      signal.addEventListener('abort', abort, { once: true });
      if (reader.cursor < this.head) this.scheduleRelease();
    });
  }

  /** A live reader is closed when it falls more than maxLag rows behind the head. */
  register(reader: FeedReader): () => void {
    this.readers.add(reader);
    return () => this.readers.delete(reader);
  }

  /** Calls `grew` whenever this instance read new rows of the log. */
  onGrowth(grew: () => void): () => void {
    this.growthListeners.add(grew);
    return () => this.growthListeners.delete(grew);
  }

  /** Calls `changed` whenever the attempt may have changed (a wake-up, or every poll). */
  watchAttempt(attemptId: string, changed: () => void): () => void {
    let watchers = this.attemptWatchers.get(attemptId);
    if (!watchers) this.attemptWatchers.set(attemptId, (watchers = new Set()));
    watchers.add(changed);
    return () => {
      watchers.delete(changed);
      if (watchers.size === 0) this.attemptWatchers.delete(attemptId);
    };
  }

  private attemptChanged(attemptId: string) {
    for (const changed of this.attemptWatchers.get(attemptId) ?? []) changed();
  }

  /** Reads what the log gained; one read at a time, and one more if woken meanwhile. */
  private wake(): void {
    this.logReads.request();
  }

  private async catchUp(): Promise<void> {
    for (;;) {
      const rows = await this.read(this.head, PAGE);
      if (rows.length === 0) return;
      const entries = rows.map(entry);
      this.recent.push(...entries);
      // Trimmed once it holds twice `keep`: trimming to `keep` on every read copied the whole window per flag.
      const keep = this.options.keep ?? 10_000;
      if (this.recent.length > 2 * keep) this.recent = this.recent.slice(-keep);
      this.head = entries[entries.length - 1].seq;
      this.releaseWaiters();
      for (const reader of this.readers) if (this.head - reader.cursor > this.options.maxLag) reader.tooFarBehind();
      for (const grew of this.growthListeners) grew();
      if (rows.length < PAGE) return;
    }
  }

  /** Screens behind-the-head readers in the next turn, so that those arriving in this one are screened together. */
  private scheduleRelease() {
    if (this.releaseScheduled) return;
    this.releaseScheduled = true;
    setImmediate(() => {
      this.releaseScheduled = false;
      this.releaseWaiters();
    });
  }

  /** Screens the rows beyond their cursors once per key for the readers behind the head that no screening covers yet. */
  private releaseWaiters() {
    const screened = new Map<string, Waiter[]>();
    for (const waiter of this.waiters) {
      if (waiter.screening || waiter.reader.cursor >= this.head) continue;
      waiter.screening = true;
      const group = screened.get(waiter.screen.key);
      if (group) group.push(waiter);
      else screened.set(waiter.screen.key, [waiter]);
    }
    for (const group of screened.values()) void this.screen(group);
  }

  /**
   * One screening for readers of one key. A reader still waiting when it ends is handed it if
   * a row it would deliver lies beyond its cursor, else moved past the screened rows; one
   * still behind the head then (rows arrived meanwhile) gets a screening of its own, so no
   * row is skipped unscreened.
   */
  private async screen(group: Waiter[]): Promise<void> {
    const upTo = this.head;
    const from = Math.min(...group.map((w) => w.reader.cursor));
    const entries = this.recentAfter(from, upTo - from);
    let screening: Screening | null = null;
    try {
      if (entries) screening = await group[0].screen.screen(entries);
    } catch (error) {
      logger.warn({ err: error }, 'flag subscribers not screened; waking them to check for themselves');
    }
    const last = screening?.deliverable.at(-1);
    let behind = false;
    for (const waiter of group) {
      waiter.screening = false;
      if (!this.waiters.has(waiter)) continue;
      if (!screening) waiter.done(null);
      else if (last && last.seq > waiter.reader.cursor) waiter.done({ screening, upTo });
      else {
        if (waiter.reader.cursor < upTo) waiter.reader.cursor = upTo;
        behind ||= waiter.reader.cursor < this.head;
      }
    }
    if (behind) this.scheduleRelease();
  }

  private read(after: number, limit: number): Promise<Row[]> {
    return this.query<Row>(
      `select f.seq, f.student_id, f.attempt_id, f.exam_id, f.reason, f.severity, f.details, f.created_at, sp.cohort
         from student_flag_events f left join student_profiles sp on sp.user_id = f.student_id
        where f.seq > ? order by f.seq limit ?`,
      [after, limit],
    );
  }
}
