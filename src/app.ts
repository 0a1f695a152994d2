import { MikroORM } from '@mikro-orm/postgresql';
import { Redis } from 'ioredis';
import type { Config } from './config';
import { embeddedJwtSecret, startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded';
import { migrate } from './db/migrator';
import { ormConfig } from './db/orm-config';
import { databaseIsEmpty, seedDemoData } from './db/seed';
import { scheduledJobs } from './jobs/registry';
import { startScheduler } from './jobs/scheduler';
import { logger } from './logger';
import { startServer, type RunningServer } from './server';
import { createServices } from './services';

export interface Database {
  orm: MikroORM;
  url: string;
  embedded: EmbeddedDatabase | null;
  close(): Promise<void>;
}

/** DATABASE_URL when set, else the embedded PostgreSQL in the data folder. */
export async function openDatabase(config: Config): Promise<Database> {
  const embedded = config.databaseUrl ? null : await startEmbeddedPostgres(config.dataDir, config.embeddedPgPort);
  const url = config.databaseUrl ?? embedded!.url;
  try {
    const orm = await MikroORM.init(
      ormConfig({ clientUrl: url, poolMax: config.db.poolMax, statementTimeoutMs: config.db.statementTimeoutMs }),
    );
    return {
      orm,
      url,
      embedded,
      close: async () => {
        await orm.close(true);
        await embedded?.stop();
      },
    };
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}

export interface Assay {
  server: RunningServer;
  database: Database;
  seeded: boolean;
  stop(): Promise<void>;
}

/** Everything `assay serve` does: database, migrations, demo data (embedded only), HTTP. */
export async function startAssay(config: Config): Promise<Assay> {
  const database = await openDatabase(config);
  const redis = config.redisUrl ? new Redis(config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 2 }) : null;
  try {
    if (config.migrateOnStart) {
      const applied = await migrate(database.orm);
      if (applied.length) logger.info({ applied }, 'migrations applied');
    }
    let seeded = false;
    if (database.embedded && (await databaseIsEmpty(database.orm.em.fork()))) {
      await seedDemoData(database.orm.em.fork(), config.demoPassword);
      seeded = true;
    }
    const jwtSecret = config.jwt.secret ?? (await embeddedJwtSecret(config.dataDir));
    const services = createServices(
      config,
      jwtSecret,
      redis ? { kind: 'redis', redis } : { kind: 'postgres', knex: database.orm.em.getKnex() },
    );
    const server = await startServer(config, database.orm, services);
    const scheduler = config.jobs.enabled ? startScheduler(database.orm, config, scheduledJobs(config)) : null;
    return {
      server,
      database,
      seeded,
      stop: async () => {
        await scheduler?.stop();
        await server.stop();
        redis?.disconnect();
        await database.close();
      },
    };
  } catch (error) {
    redis?.disconnect();
    await database.close();
    throw error;
  }
}
