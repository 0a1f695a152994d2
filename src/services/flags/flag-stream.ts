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
  /** Checks the credential and the access to the flags' exams again; null when the credential is gone (the stream ends). */
  access: (flags: FlagLogEntry[]) => Promise<PageAccess<C> | null>;
  /** Whether it is known, without asking anyone, that none of `flags` may be delivered now: `access` is then not asked. */
  seesNoneOf?: (flags: FlagLogEntry[]) => boolean;
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

/** The rows of a page (or screening) to deliver now, and the access that allowed them (null when there are none). */
interface Checked<C> {
  deliverable: FlagLogEntry[];
  access: PageAccess<C> | null;
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
  const check = async (entries: FlagLogEntry[]): Promise<Checked<C> | null> => {
    const wanted = entries.filter((e) => flagMatches(e, filter));
    if (wanted.length === 0 || options.seesNoneOf?.(wanted)) return { deliverable: [], access: null };
    const access = await options.access(wanted);
    if (!access) return null;
    const { visibleExams } = access;
    return { deliverable: visibleExams === 'all' ? wanted : wanted.filter((e) => visibleExams.has(e.examId)), access };
  };
  const screen: WakeScreen<Checked<C>> = {
    key: [options.accessKey, filter.examId, filter.cohort, filter.minSeverity].join('\n'),
    screen: check,
  };
  return abortable(async function* (signal) {
    const reader = { cursor: options.after ?? feed.latest, tooFarBehind: options.tooFarBehind };
    let unregister: (() => void) | null = null;
    /** Delivers `checked.deliverable` beyond the cursor, moving the cursor over every row up to `upTo`. */
    async function* deliver(checked: Checked<C>, upTo: number) {
      for (const entry of checked.deliverable) {
        if (signal.aborted) return;
        if (entry.seq <= reader.cursor) continue;
        reader.cursor = entry.seq;
        yield { payload: payloadOf(entry), context: checked.access!.context };
      }
      if (!signal.aborted && reader.cursor < upTo) reader.cursor = upTo;
    }
    try {
      while (!signal.aborted) {
        // Caught up once: from here on the feed watches how far behind this reader falls.
        if (reader.cursor >= feed.latest) unregister ??= feed.register(reader);
        const screened = await feed.waitBeyond(reader, signal, screen);
        if (screened) {
          yield* deliver(screened.screening, screened.upTo);
          continue;
        }
        if (signal.aborted) return;
        const page = (await feed.after(reader.cursor, PAGE)).filter((e) => e.seq > reader.cursor);
        if (page.length === 0) continue;
        const checked = await check(page);
        if (!checked) return;
        yield* deliver(checked, page[page.length - 1].seq);
      }
    } finally {
      unregister?.();
    }
  });
}
