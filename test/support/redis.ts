import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Redis } from 'ioredis';
import { until } from './subscriptions';

/** The Redis the Redis tests use (CI has one on 127.0.0.1:6379). */
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export const redisReachable = () => answers(REDIS_URL);

async function answers(url: string): Promise<boolean> {
  // A refused connection is the answer here, not an error to print.
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null }).on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/** A redis-server the test owns (to kill it), on its own port. */
export interface OwnRedis {
  url: string;
  kill(): Promise<void>;
  start(): Promise<void>;
}

const REDIS_SERVER = '/usr/bin/redis-server';
/** Debian's redis-server, which the tests that kill Redis start themselves. */
export const redisServerInstalled = () => existsSync(REDIS_SERVER);

export async function ownRedis(): Promise<OwnRedis> {
  const port = 26_000 + Math.floor(Math.random() * 4000);
  let server: ChildProcess | null = null;
  const start = async () => {
    server = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await until(() => answers(`redis://127.0.0.1:${port}`), 10_000, () => `redis-server on port ${port}`);
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    start,
    kill: async () => {
      const running = server;
      if (!running || running.exitCode !== null) return;
      const exited = new Promise((r) => running.once('exit', r));
      running.kill('SIGKILL');
      await exited;
    },
  };
}
