import { MonitoringSeverity } from '../../entities/monitoring-enums';
import { badInput } from '../../errors';
import { abortable, type Delivery } from '../live/abortable';
import type { FlagFeed, FlagLogEntry, WakeScreen } from './flag-feed';

export interface FlagStreamFilter {
  examId?: string;
  cohort?: string;
  minSeverity?: MonitoringSeverity;
}

/** What one check of the subscriber's rights, just before a page is delivered, says. */
export interface PageAccess<C> {
  context: C;
  /** Exams among the page's that the subscriber may view now. */
  visibleExams: ReadonlySet<string> | 'all';
}

export interface FlagStreamOptions<C> {
  /** The seq after which to start (the client's cursor), or null for what comes next. */
  after: number | null;
  filter: FlagStreamFilter;
  /** Checks the credential and exam access again; null when the credential is gone (the stream ends). */
  access: (examIds: string[]) => Promise<PageAccess<C> | null>;
  /** Called when the subscriber falls too far behind the log's head. */
  tooFarBehind: () => void;
  /**
   * The same for subscribers whose `access` answers alike (one credential): while caught up,
   * those with one key and filter are woken only for rows one of them would deliver.
   */
  accessKey: string;
}

const PAGE = 100;

export const encodeFlagCursor = (seq: number) => Buffer.from(`flag:${seq}`).toString('base64url');

export function decodeFlagCursor(cursor: string | null | undefined): number | null {
  if (cursor == null) return null;
  const match = /^flag:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw badInput('after is not a cursor from studentFlagged');
  return Number(match[1]);
}

/** One payload per log entry, so that the deliveries of one flag can share their execution. */
const payloads = new WeakMap<FlagLogEntry, FlagLogEntry & { cursor: string }>();
function payloadOf(entry: FlagLogEntry): FlagLogEntry & { cursor: string } {
  let payload = payloads.get(entry);
  if (!payload) payloads.set(entry, (payload = { ...entry, cursor: encodeFlagCursor(entry.seq) }));
  return payload;
}

/** Whether a flag passes a subscriber's or webhook's filter (rights are checked apart). */
export const flagMatches = (flag: { examId: string; cohort: string | null; severity: MonitoringSeverity }, filter: FlagStreamFilter) =>
  (!filter.examId || flag.examId === filter.examId) &&
  (!filter.cohort || flag.cohort === filter.cohort) &&
  (filter.minSeverity !== MonitoringSeverity.CRITICAL || flag.severity === MonitoringSeverity.CRITICAL);

/**
 * Every flag after the cursor, from the log, in order, then live ones as the log grows: one
 * loop over "rows after my cursor", so replay and live meet with no gap and no duplicate.
 * Rights are checked again for every page, at the moment of delivery; what the subscriber
 * may not see is skipped (the cursor moves past it), and a gone credential ends the stream.
 */
export function flagStream<C>(feed: FlagFeed, options: FlagStreamOptions<C>): AsyncGenerator<Delivery<FlagLogEntry & { cursor: string }, C>> {
  const { filter } = options;
  /** The rows among `entries` to deliver now, and the access that allowed them; null when the credential is gone. */
  const check = async (entries: FlagLogEntry[]): Promise<{ deliverable: FlagLogEntry[]; access: PageAccess<C> | null } | null> => {
    const wanted = entries.filter((e) => flagMatches(e, filter));
    if (wanted.length === 0) return { deliverable: wanted, access: null };
    const access = await options.access([...new Set(wanted.map((e) => e.examId))]);
    if (!access) return null;
    const { visibleExams } = access;
    return { deliverable: visibleExams === 'all' ? wanted : wanted.filter((e) => visibleExams.has(e.examId)), access };
  };
  const screen: WakeScreen = {
    key: [options.accessKey, filter.examId, filter.cohort, filter.minSeverity].join('\n'),
    deliverable: async (entries) => (await check(entries))?.deliverable ?? null,
  };
  return abortable(async function* (signal) {
    const reader = { cursor: options.after ?? feed.latest, tooFarBehind: options.tooFarBehind };
    let unregister: (() => void) | null = null;
    try {
      while (!signal.aborted) {
        const page = (await feed.after(reader.cursor, PAGE)).filter((e) => e.seq > reader.cursor);
        if (page.length === 0) {
          // Caught up: from here on the feed watches how far behind this reader falls.
          unregister ??= feed.register(reader);
          await feed.waitBeyond(reader, signal, screen);
          continue;
        }
        const checked = await check(page);
        if (!checked) return;
        const deliver = new Set(checked.deliverable);
        for (const entry of page) {
          if (signal.aborted) return;
          reader.cursor = entry.seq;
          if (deliver.has(entry)) yield { payload: payloadOf(entry), context: checked.access!.context };
        }
      }
    } finally {
      unregister?.();
    }
  });
}
