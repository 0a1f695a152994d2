import { readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { seededRng } from '../../src/db/seed/prng';
import autocannon from 'autocannon';

/** The p-th percentile of ascending `sorted`, nearest rank. */
export const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

export interface LoadRequest {
  body: string;
  token: string;
}

export interface LoadOptions {
  url: string;
  connections: number;
  duration: number;
  /** Calls a second over all connections (autocannon's overallRate); unset: as fast as answered. */
  rate?: number;
  headers?: Record<string, string>;
  /** With the server's pid, the result says how much CPU the server and PostgreSQL spent per request. */
  serverPid?: number;
}

export interface LoadResult {
  name: string;
  requests: number;
  non2xx: number;
  /** Of the non-2xx, the 5xx (counted by the open-loop driver only). */
  serverErrors?: number;
  errors: number;
  reqPerSec: number;
  p50: number;
  p95: number;
  p99: number;
  serverCpuMsPerRequest?: number;
  postgresCpuMsPerRequest?: number;
}

/**
 * Drives POST requests with autocannon, each one the next of `next()` (rotating tokens,
 * variables or fresh bodies). Percentiles come from every response time: autocannon's own
 * summary has no p95.
 */
export async function drive(name: string, options: LoadOptions, next: () => LoadRequest): Promise<LoadResult> {
  const times: number[] = [];
  const cpuBefore = options.serverPid ? { server: cpuSeconds(options.serverPid), postgres: postgresCpu() } : null;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        method: 'POST',
        connections: options.connections,
        duration: options.duration,
        ...(options.rate ? { overallRate: options.rate } : {}),
        requests: [
          {
            setupRequest: (request) => {
              const pick = next();
              return { ...request, body: pick.body, headers: { 'content-type': 'application/json', ...options.headers, authorization: `Bearer ${pick.token}` } };
            },
          },
        ],
      },
      (error: Error | null, done) => (error ? reject(error) : resolve(done)),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => times.push(responseTime));
  });
  if (times.length === 0) throw new Error(`${name}: no answer in ${options.duration} s (${result.errors} errors, ${result.timeouts} timeouts, ${result.requests.total} requests)`);
  times.sort((a, b) => a - b);
  const perRequest = (seconds: number) => Number(((seconds * 1000) / result.requests.total).toFixed(2));
  return {
    ...(cpuBefore
      ? { serverCpuMsPerRequest: perRequest(cpuSeconds(options.serverPid!) - cpuBefore.server), postgresCpuMsPerRequest: perRequest(postgresCpuSecondsSince(cpuBefore.postgres)) }
      : {}),
    name,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    reqPerSec: Math.round(result.requests.average),
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    p99: percentile(times, 99),
  };
}

/** A rotation through `items`. */
export const rotate = <T>(items: T[]) => {
  let i = 0;
  return () => items[i++ % items.length];
};

export function machine() {
  const cpu = os.cpus();
  return { cpus: cpu.length, model: cpu[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))) };
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds used so far by each PostgreSQL process on this machine (the benchmark's server is local). */
export type PostgresCpu = Map<number, number>;

export function postgresCpu(): PostgresCpu {
  const byPid: PostgresCpu = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/stat`, 'utf8').includes('(postgres)')) byPid.set(Number(entry), cpuSeconds(Number(entry)));
    } catch {
      // The process ended while we looked.
    }
  }
  return byPid;
}

/**
 * CPU seconds PostgreSQL used since `before`, over the processes alive now. A backend or
 * autovacuum worker that exited in between takes its seconds with it (a small undercount);
 * summing totals instead went negative when an idle pool closed its connections.
 */
export function postgresCpuSecondsSince(before: PostgresCpu): number {
  let total = 0;
  for (const [pid, seconds] of postgresCpu()) total += seconds - (before.get(pid) ?? 0);
  return total;
}

/** POSTs a JSON `body` with a bearer token over `agent`; resolves with the status and the raw answer. */
export function postRaw(url: URL, agent: http.Agent, body: string | Buffer, token: string): Promise<{ status: number; answer: Buffer }> {
  return new Promise((resolve, reject) => {
    const call = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, answer: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    call.on('error', reject);
    call.end(body);
  });
}

/** POSTs `body` over `agent`; resolves with the status and whether the answer had GraphQL errors. */
async function post(url: URL, agent: http.Agent, request: LoadRequest): Promise<{ status: number; graphqlErrors: boolean }> {
  const { status, answer } = await postRaw(url, agent, request.body, request.token);
  return { status, graphqlErrors: answer.includes('"errors"') };
}

/**
 * An open-loop load: requests start at Poisson arrival times averaging `rate` a second
 * (independent clients, as students' proctoring clients are), whatever the answers' pace,
 * over up to `connections` keep-alive connections, after `warmup` seconds at the same rate
 * that are not counted. autocannon's overallRate instead lets each connection send its whole
 * second's share at once at the start of every second, so its latencies measure those bursts.
 */
export async function poisson(
  name: string,
  options: { url: string; rate: number; duration: number; warmup: number; connections: number; seed: number },
  next: () => LoadRequest,
): Promise<LoadResult> {
  const rng = seededRng(options.seed);
  const url = new URL(options.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const times: number[] = [];
  let errors = 0;
  let non2xx = 0;
  let serverErrors = 0;
  const inFlight = new Set<Promise<void>>();
  const begin = performance.now();
  const counted = begin + options.warmup * 1000;
  const end = counted + options.duration * 1000;
  for (let at = begin; at < end; at += (-Math.log(1 - rng()) * 1000) / options.rate) {
    const wait = at - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const sent = performance.now();
    const count = sent >= counted;
    const call: Promise<void> = post(url, agent, next())
      .then(({ status, graphqlErrors }) => {
        if (!count) return;
        times.push(performance.now() - sent);
        if (status >= 500) serverErrors++;
        if (status < 200 || status >= 300) non2xx++;
        else if (graphqlErrors) errors++;
      })
      .catch(() => {
        if (count) errors++;
      })
      .finally(() => inFlight.delete(call));
    inFlight.add(call);
  }
  await Promise.all(inFlight);
  agent.destroy();
  times.sort((a, b) => a - b);
  return { name, requests: times.length, non2xx, serverErrors, errors, reqPerSec: Math.round(times.length / options.duration), p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99) };
}
