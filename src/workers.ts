import cluster, { type Worker } from 'node:cluster';
import { openDatabase, prepareDatabase, startHttp, type Assay } from './app';
import type { Config } from './config';
import { scheduledJobs } from './jobs/registry';
import { startScheduler } from './jobs/scheduler';
import { logger } from './logger';

interface ReadyMessage {
  type: 'ready';
  url: string;
  port: number;
}

const isReady = (message: unknown): message is ReadyMessage =>
  typeof message === 'object' && message !== null && (message as ReadyMessage).type === 'ready';

const RESTART_DELAY_MS = 1000;
/** Beyond the workers' own shutdown timeout: closing their pools and Redis connections. */
const STOP_MARGIN_MS = 5000;

function stopWorker(worker: Worker, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (worker.isDead()) return resolve();
    const force = setTimeout(() => worker.process.kill('SIGKILL'), graceMs + STOP_MARGIN_MS);
    worker.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    worker.process.kill('SIGTERM');
  });
}

/**
 * `assay serve` with WORKERS > 1: this process prepares the database (embedded PostgreSQL,
 * migrations, demo data) and runs the scheduler; `config.workers` forked processes serve
 * HTTP on the one port (node:cluster hands out connections). Workers hold no state of
 * their own that another could miss: sessions, rate limits and the response cache's
 * invalidation all live in the database. A worker that dies is replaced.
 */
export async function startPrimary(config: Config): Promise<Assay> {
  const { database, seeded, jwtSecret } = await prepareDatabase(config);
  const env = { DATABASE_URL: database.url, JWT_SECRET: jwtSecret, MIGRATE_ON_START: 'false', JOBS_ENABLED: 'false' };
  let stopping = false;

  const fork = (): Worker => {
    const worker = cluster.fork(env);
    worker.on('exit', (code, signal) => {
      if (stopping) return;
      logger.error({ worker: worker.process.pid, code, signal }, 'worker exited; starting another');
      setTimeout(() => stopping || fork(), RESTART_DELAY_MS);
    });
    return worker;
  };
  const started = (worker: Worker) =>
    new Promise<ReadyMessage>((resolve, reject) => {
      worker.on('message', (message: unknown) => isReady(message) && resolve(message));
      worker.once('exit', (code) => reject(new Error(`a worker exited with code ${code} while starting`)));
    });
  const stopAll = async () => {
    stopping = true;
    await Promise.all(Object.values(cluster.workers ?? {}).map((w) => stopWorker(w!, config.shutdownTimeoutMs)));
  };

  let ready: ReadyMessage[];
  try {
    ready = await Promise.all(Array.from({ length: config.workers }, () => started(fork())));
  } catch (error) {
    await stopAll();
    await database.close();
    throw error;
  }
  const scheduler = config.jobs.enabled ? startScheduler(database.orm, config, scheduledJobs(config)) : null;
  const stop = async () => {
    await scheduler?.stop();
    await stopAll();
    await database.close();
  };
  return { server: { url: ready[0].url, port: ready[0].port, stop }, database, seeded, stop };
}

/** One HTTP worker: the database the primary prepared, no migrations, no scheduler. */
export async function startWorker(config: Config): Promise<{ stop(): Promise<void> }> {
  const database = await openDatabase(config);
  try {
    const http = await startHttp(config, database, config.jwt.secret!);
    process.send?.({ type: 'ready', url: http.server.url, port: http.server.port } satisfies ReadyMessage);
    return {
      stop: async () => {
        await http.stop();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}
