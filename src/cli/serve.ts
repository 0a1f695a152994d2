import { startAssay } from '../app';
import type { Config } from '../config';
import { DEMO_ACCOUNT_LINES } from '../db/seed';
import { logger } from '../logger';

export async function serve(config: Config): Promise<void> {
  const assay = await startAssay(config);
  const lines = [`Assay ready at ${assay.server.url}`];
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

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    assay.stop().then(
      () => process.exit(0),
      (error) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}
