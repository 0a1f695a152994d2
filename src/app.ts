import { MikroORM } from '@mikro-orm/postgresql';
import { PubSub, type PubSubEngine } from 'graphql-subscriptions';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import { Redis } from 'ioredis';
import type { Config } from './config';
import { embeddedJwtSecret, startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded';
import { queryBound } from './db/bound-query';
import { cancelRunning } from './db/cancel-running';
import { migrate } from './db/migrator';
import { ormConfig } from './db/orm-config';
import { databaseIsEmpty, seedDemoData } from './db/seed';
import { scheduledJobs } from './jobs/registry';
import { startScheduler } from './jobs/scheduler';
import { logger } from './logger';
import { startServer, type RunningServer } from './server';
import { createServices } from './services';
import { AccessRegistry } from './auth/access-registry';
import { FlagFeed } from './services/flags/flag-feed';
import { WebhookDispatcher } from './services/webhooks/webhook-dispatcher';
import { ensureCurrentPartitions } from './services/monitoring/partitions';

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
        await cancelRunning(orm, url);
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

export interface PreparedDatabase {
  database: Database;
  seeded: boolean;
  jwtSecret: string;
}

/** The database ready to serve: opened, migrated, demo data loaded (embedded only), with the JWT secret to use. */
export async function prepareDatabase(config: Config): Promise<PreparedDatabase> {
  const database = await openDatabase(config);
  try {
    if (config.migrateOnStart) {
      const applied = await migrate(database.orm);
      if (applied.length) logger.info({ applied }, 'migrations applied');
    }
    await ensureCurrentPartitions(database.orm.em.fork());
    let seeded = false;
    if (database.embedded && (await databaseIsEmpty(database.orm.em.fork()))) {
      await seedDemoData(database.orm.em.fork(), config.demoPassword);
      seeded = true;
    }
    const jwtSecret = config.jwt.secret ?? (await embeddedJwtSecret(config.dataDir));
    return { database, seeded, jwtSecret };
  } catch (error) {
    await database.close();
    throw error;
  }
}

export interface Http {
  server: RunningServer;
  stop(): Promise<void>;
}

/** Wake-ups between instances: through Redis when configured, else within this process. */
function livePubSub(redisUrl: string | undefined): { pubsub: PubSubEngine; close: () => void } {
  if (!redisUrl) return { pubsub: new PubSub(), close: () => undefined };
  // Commands wait for Redis to come back (maxRetriesPerRequest: null): meanwhile the poll
  // carries the flags, and the subscription is made once Redis answers again.
  const connect = (role: string) =>
    new Redis(redisUrl, { maxRetriesPerRequest: null }).on('error', (error: Error) => logger.warn({ err: error, role }, 'redis (live wake-ups) unavailable'));
  const publisher = connect('publisher');
  const subscriber = connect('subscriber');
  return {
    pubsub: new RedisPubSub({ publisher, subscriber }),
    // Not quit(): with Redis gone it would wait for it forever.
    close: () => {
      publisher.disconnect();
      subscriber.disconnect();
    },
  };
}

/** The HTTP side over a prepared database: services (with Redis when configured), the live feed, webhook deliveries and the GraphQL server. */
export async function startHttp(config: Config, database: Database, jwtSecret: string): Promise<Http> {
  const redis = config.redisUrl
    ? new Redis(config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 2 }).on('error', (error: Error) => logger.warn({ err: error }, 'redis unavailable'))
    : null;
  const live = livePubSub(config.redisUrl);
  const knex = database.orm.em.getKnex();
  const channel = `assay:${new URL(database.url).pathname.slice(1)}`;
  const feed = new FlagFeed((sql, params) => queryBound(knex, sql, params), live.pubsub, { ...config.live, channel });
  const dispatcher = new WebhookDispatcher(database.orm, config.webhooks);
  const stopKicking = feed.onGrowth(() => dispatcher.kick());
  const access = new AccessRegistry({ databaseUrl: database.url });
  const release = async () => {
    stopKicking();
    await access.stop();
    await dispatcher.stop();
    await feed.stop();
    live.close();
    redis?.disconnect();
  };
  try {
    await feed.start();
    await access.start();
    dispatcher.start();
    const services = createServices(
      config,
      jwtSecret,
      redis ? { kind: 'redis', redis, knex } : { kind: 'postgres', knex },
      feed,
      access,
    );
    const server = await startServer(config, database.orm, services, redis);
    return {
      server,
      stop: async () => {
        // Deliveries in flight and requests in flight get the same grace, side by side.
        await Promise.all([server.stop(), dispatcher.stop(config.shutdownTimeoutMs)]);
        await release();
      },
    };
  } catch (error) {
    await release();
    throw error;
  }
}

/** Everything `assay serve` does in one process: database, migrations, demo data (embedded only), HTTP, jobs. */
export async function startAssay(config: Config): Promise<Assay> {
  const { database, seeded, jwtSecret } = await prepareDatabase(config);
  try {
    const http = await startHttp(config, database, jwtSecret);
    const scheduler = config.jobs.enabled ? startScheduler(database.orm, config, scheduledJobs(config)) : null;
    return {
      server: http.server,
      database,
      seeded,
      stop: async () => {
        await scheduler?.stop();
        await http.stop();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}
