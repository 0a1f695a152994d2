import http from 'node:http';
import { seededRng } from '../../src/db/seed/prng';
import { percentile, postRaw } from '../lib/load';

/** What one kind of request did in one window. */
export interface KindWindow {
  times: number[];
  /** Failed calls and 2xx answers that carried GraphQL errors. */
  errors: number;
  non2xx: number;
  /** The first failure's status and answer, to show what went wrong. */
  firstFailure?: string;
}

export interface KindFigures {
  kind: string;
  requests: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  non2xx: number;
}

const round = (ms: number | undefined) => (ms === undefined ? NaN : Number(ms.toFixed(1)));

/**
 * Every request's latency and outcome, by kind, into the window open when its answer
 * arrived; `take` closes the window and opens the next.
 */
export class Recorder {
  private current = new Map<string, KindWindow>();
  private readonly url: URL;
  private readonly agent: http.Agent;

  constructor(url: string, maxSockets: number) {
    this.url = new URL(url);
    // A socket left idle is closed here before the server's keep-alive timeout (5 s) closes
    // it: a request sent as the server's close arrives fails with ECONNRESET.
    this.agent = new http.Agent({ keepAlive: true, maxSockets, timeout: 4000 });
  }

  private window(kind: string): KindWindow {
    let w = this.current.get(kind);
    if (!w) this.current.set(kind, (w = { times: [], errors: 0, non2xx: 0 }));
    return w;
  }

  /** POSTs `body` as `token`, recorded under `kind`; resolves with the answer, or null when it failed (recorded). */
  async call(kind: string, token: string, body: string): Promise<Buffer | null> {
    const sent = performance.now();
    let failure: string;
    try {
      const { status, answer } = await postRaw(this.url, this.agent, body, token);
      const w = this.window(kind);
      w.times.push(performance.now() - sent);
      // Error messages are never inside a string of data: there `"errors"` would be escaped.
      if (status >= 200 && status < 300 && !answer.includes('"errors"')) return answer;
      if (status >= 200 && status < 300) w.errors++;
      else w.non2xx++;
      failure = `${status} ${answer.toString().slice(0, 300)}`;
    } catch (error) {
      const w = this.window(kind);
      w.times.push(performance.now() - sent);
      w.errors++;
      failure = String(error);
    }
    this.window(kind).firstFailure ??= failure;
    return null;
  }

  take(): Map<string, KindWindow> {
    const closed = this.current;
    this.current = new Map();
    return closed;
  }

  close(): void {
    this.agent.destroy();
  }
}

export function figures(kind: string, w: KindWindow | undefined, seconds: number): KindFigures {
  const times = [...(w?.times ?? [])].sort((a, b) => a - b);
  return {
    kind,
    requests: times.length,
    perSecond: Number((times.length / seconds).toFixed(1)),
    p50: round(percentile(times, 50)),
    p95: round(percentile(times, 95)),
    p99: round(percentile(times, 99)),
    errors: w?.errors ?? 0,
    non2xx: w?.non2xx ?? 0,
  };
}

/**
 * Starts `task` at Poisson arrival times averaging `rate` a second until `until`
 * (performance.now() time), whatever the answers' pace: an open loop, so a slow server
 * shows as latency rather than as fewer requests. Resolves when the last task has ended;
 * a task that throws (a bug of the bench, not a failed request) is thrown then.
 */
export async function openLoop(rate: number, seed: number, until: number, task: () => Promise<void>): Promise<void> {
  if (rate <= 0) return;
  const rng = seededRng(seed);
  const inFlight = new Set<Promise<void>>();
  let thrown: Error | undefined;
  for (let at = performance.now(); at < until; at += (-Math.log(1 - rng()) * 1000) / rate) {
    const wait = at - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const running: Promise<void> = task()
      .catch((error: unknown) => void (thrown ??= error instanceof Error ? error : new Error(String(error))))
      .finally(() => inFlight.delete(running));
    inFlight.add(running);
  }
  await Promise.all(inFlight);
  if (thrown) throw thrown;
}
