import type { FlagFeed } from '../flags/flag-feed';
import { abortable, type Delivery } from '../live/abortable';

/** What one read of the attempt gave: a state to deliver, nothing this time, or the end of the stream. */
export type AttemptRead<T, C> = Delivery<T, C> | 'skip' | 'end';

/**
 * An attempt's state, read at once and again whenever the feed says it may have changed (a
 * wake-up from the writing instance, or the poll), delivered only when it differs from the
 * last one sent. Wake-ups that arrive during a read fold into one more read.
 */
export function attemptStream<T, C>(feed: FlagFeed, attemptId: string, read: () => Promise<AttemptRead<T, C>>): AsyncGenerator<Delivery<T, C>> {
  return abortable(async function* (signal) {
    let changed = true;
    let wake: (() => void) | null = null;
    const unwatch = feed.watchAttempt(attemptId, () => {
      changed = true;
      wake?.();
    });
    let last: string | null = null;
    try {
      while (!signal.aborted) {
        if (!changed) {
          await new Promise<void>((resolve) => {
            const done = () => {
              signal.removeEventListener('abort', done);
              wake = null;
              resolve();
            };
            wake = done;
            signal.addEventListener('abort', done, { once: true });
          });
          continue;
        }
        changed = false;
        const outcome = await read();
        if (outcome === 'end') return;
        if (outcome === 'skip') continue;
        const shown = JSON.stringify(outcome.payload);
        if (shown === last) continue;
        last = shown;
        yield outcome;
      }
    } finally {
      unwatch();
    }
  });
}
