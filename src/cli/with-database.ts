import { openDatabase, type Database } from '../app';
import { loadConfig, type Config } from '../config';
import { logger } from '../logger';

/** Loads the configuration when the command runs (not when the CLI starts), as main.ts does for its own. */
export const configured =
  <A extends unknown[]>(run: (config: Config, ...args: A) => Promise<void>) =>
  async (...args: A) => {
    const config = loadConfig();
    logger.level = config.logLevel;
    await run(config, ...args);
  };

export const out = (line: string) => process.stdout.write(`${line}\n`);

export async function withDatabase(config: Config, command: string, run: (db: Database) => Promise<void>) {
  if (!config.databaseUrl) {
    throw new Error(`${command} needs DATABASE_URL (for the embedded database: postgres://postgres:<.assay/pg-password>@127.0.0.1:${config.embeddedPgPort}/assay)`);
  }
  const db = await openDatabase(config);
  try {
    await run(db);
  } finally {
    await db.close();
  }
}
