import { Redis } from 'ioredis';
import { Client } from 'pg';
import { openDatabase } from '../app';
import { ConfigError, loadConfig, missingJwtSecret, type Config } from '../config';
import { pendingMigrations } from '../db/migrator';
import { out } from './with-database';

type Outcome = 'ok' | 'FAIL' | 'skip';

interface Check {
  name: string;
  run(): Promise<[Outcome, string]>;
}

const CONNECT_TIMEOUT_MS = 5000;

/** Where a URL points, without its credentials. */
const place = (url: string) => {
  const { hostname, port, pathname } = new URL(url);
  return `${hostname}:${port || 'default port'}${pathname}`;
};

const message = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0];

function secretCheck(config: Config): Check {
  return {
    name: 'JWT_SECRET',
    run: () => {
      const missing = missingJwtSecret({ secret: config.jwt.secret, production: config.production, databaseUrl: config.databaseUrl });
      if (missing) return Promise.resolve(['FAIL', `${missing}: serve will not start`]);
      if (!config.jwt.secret) return Promise.resolve(['ok', `not set: the embedded default keeps a generated secret in ${config.dataDir}`]);
      return Promise.resolve(['ok', `${Buffer.byteLength(config.jwt.secret)} bytes`]);
    },
  };
}

function databaseChecks(config: Config): Check[] {
  const url = config.databaseUrl;
  if (!url) {
    return [
      { name: 'database', run: () => Promise.resolve(['ok', `DATABASE_URL not set: serve runs the embedded PostgreSQL in ${config.dataDir}`]) },
      { name: 'migrations', run: () => Promise.resolve(['skip', 'the embedded database is migrated on start']) },
    ];
  }
  let reachable = false;
  return [
    {
      name: 'database',
      run: async () => {
        const client = new Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
        try {
          await client.connect();
          const { rows } = await client.query<{ server_version: string }>('show server_version');
          reachable = true;
          return ['ok', `PostgreSQL ${rows[0].server_version} at ${place(url)}`];
        } catch (error) {
          return ['FAIL', `${place(url)} does not answer: ${message(error)}`];
        } finally {
          await client.end().catch(() => undefined);
        }
      },
    },
    {
      name: 'migrations',
      run: async () => {
        if (!reachable) return ['skip', 'the database does not answer'];
        const db = await openDatabase(config);
        try {
          const pending = await pendingMigrations(db.orm);
          if (pending.length === 0) return ['ok', 'up to date'];
          return ['FAIL', `${pending.length} pending (${pending.slice(0, 3).join(', ')}${pending.length > 3 ? ', …' : ''}): run assay migrate`];
        } finally {
          await db.close();
        }
      },
    },
  ];
}

function redisCheck(config: Config): Check {
  return {
    name: 'redis',
    run: async () => {
      if (!config.redisUrl) return ['skip', 'REDIS_URL not set: wake-ups and login counters stay within each instance'];
      const redis = new Redis(config.redisUrl, { lazyConnect: true, connectTimeout: CONNECT_TIMEOUT_MS, maxRetriesPerRequest: 0, retryStrategy: () => null });
      // The socket's own error (e.g. ECONNREFUSED) says more than the rejected connect.
      let cause: unknown = null;
      redis.on('error', (error) => (cause ??= error));
      try {
        await redis.connect();
        await redis.ping();
        return ['ok', `answers at ${place(config.redisUrl)}`];
      } catch (error) {
        return ['FAIL', `${place(config.redisUrl)} does not answer: ${message(cause ?? error)}`];
      } finally {
        redis.disconnect();
      }
    },
  };
}

/**
 * `assay doctor`: what a deployment needs, one line per check (ok, FAIL or skip), exit 1 when
 * any fails. Reads the same environment as `serve`, and prints no secret or password.
 */
export async function doctorCommand(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env, { signsTokens: false });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    out(`FAIL  configuration  ${error.message}`);
    process.exitCode = 1;
    return;
  }
  out(`ok    configuration  NODE_ENV=${config.env}`);
  for (const check of [secretCheck(config), ...databaseChecks(config), redisCheck(config)]) {
    const [outcome, detail] = await check.run();
    out(`${outcome.padEnd(5)} ${check.name}  ${detail}`);
    if (outcome === 'FAIL') process.exitCode = 1;
  }
}
