import { openDatabase, type Database } from '../app';
import { loadConfig, type Config } from '../config';
import { logger } from '../logger';

/**
 * The configuration, loaded when a command runs (not when the CLI starts). Only `serve`
 * signs tokens: every other command runs with DATABASE_URL alone, without JWT_SECRET.
 */
export function commandConfig(options: { signsTokens?: boolean } = {}): Config {
  const config = loadConfig(process.env, { signsTokens: options.signsTokens ?? false });
  logger.level = config.logLevel;
  return config;
}

/** A command's action, given the configuration when it runs. */
export const configured =
  <A extends unknown[]>(run: (config: Config, ...args: A) => Promise<void>) =>
  async (...args: A) => {
    await run(commandConfig(), ...args);
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
