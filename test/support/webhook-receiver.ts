import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  seq: number;
}

/** A webhook receiver on 127.0.0.1 that records what it is sent. */
export interface Receiver {
  url: string;
  received: Received[];
  /** The status to answer with, per request (by arrival order); 200 after the list. */
  answers: number[];
  /** Requests being answered right now, and the most at once. */
  busy: { now: number; most: number };
  delayMs: number;
  until(count: number, ms?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const status = state.answers[state.received.length] ?? 200;
      state.received.push({ headers: req.headers, body, seq: (JSON.parse(body) as { seq: number }).seq });
      state.busy.most = Math.max(state.busy.most, ++state.busy.now);
      setTimeout(() => {
        state.busy.now--;
        res.writeHead(status).end();
      }, state.delayMs);
    });
  });
  const state: Receiver = {
    url: '',
    received: [],
    answers: [],
    busy: { now: 0, most: 0 },
    delayMs: 0,
    until: async (count, ms = 10_000) => {
      const deadline = Date.now() + ms;
      while (state.received.length < count) {
        if (Date.now() > deadline) throw new Error(`receiver got ${state.received.length} of ${count} requests`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return state.received;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return state;
}
