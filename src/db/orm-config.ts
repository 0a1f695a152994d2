import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, type Options } from '@mikro-orm/postgresql';
import { entities } from '../entities';
import { migrationsList } from '../../migrations';
import { logger } from '../logger';
import { countingLoggerFactory } from './query-counter';

export interface OrmSettings {
  clientUrl: string;
  poolMax?: number;
  statementTimeoutMs?: number;
}

/** The one ORM configuration; the server, the CLI and the tests all go through it. */
export function ormConfig(settings: OrmSettings): Options {
  return defineConfig({
    clientUrl: settings.clientUrl,
    entities,
    discovery: { requireEntitiesArray: true },
    // Registered here: MikroORM would otherwise look the package up from the working directory.
    extensions: [Migrator],
    forceUtcTimezone: true,
    pool: { min: 0, max: settings.poolMax ?? 10 },
    driverOptions: {
      // knex would otherwise put the statement with its parameter values (hashes, tokens) into
      // the message of every failed query, and from there into logs.
      compileSqlOnError: false,
      connection: { statement_timeout: settings.statementTimeoutMs ?? 15_000, application_name: 'assay' },
    },
    migrations: {
      tableName: 'mikro_orm_migrations',
      path: 'migrations',
      pathTs: 'migrations',
      migrationsList,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
    },
    loggerFactory: countingLoggerFactory,
    logger: (message) => logger.debug(message),
    allowGlobalContext: false,
    // Profiles are read through loaders or an explicit populate. Joining both to every User
    // row only to hold references cost about a tenth of an executed assessments page.
    autoJoinOneToOneOwner: false,
  });
}
