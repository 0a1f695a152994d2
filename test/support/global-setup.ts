import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import type { TestProject } from 'vitest/node';
import { migrate } from '../../src/db/migrator';
import { ormConfig } from '../../src/db/orm-config';
import { seedDemoData } from '../../src/db/seed';
import { DEMO_PASSWORD } from './constants';
import { databaseUrl, resolveTestServer, withAdminClient } from './postgres';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    templateDatabase: string;
    /** The vitest process's pid: clone names carry it, so a later run can drop what a killed one left. */
    runPid: number;
  }
}

/**
 * Builds one migrated template database with the demo data for this run; each test
 * file clones it (CREATE DATABASE … TEMPLATE), so files run in parallel and leave nothing.
 */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Databases left by runs that were killed before their teardown (names carry the run's pid). */
async function dropLeftovers(adminUrl: string): Promise<void> {
  if (!/@(127\.0\.0\.1|localhost)[:/]/.test(adminUrl)) return;
  await withAdminClient(adminUrl, async (c) => {
    const { rows } = await c.query<{ datname: string }>(`select datname from pg_database where datname ~ '^assay_(tpl|t)_[0-9]+_'`);
    for (const { datname } of rows) {
      const pid = Number(datname.split('_')[2]);
      if (!alive(pid)) await c.query(`drop database if exists ${datname} with (force)`);
    }
  });
}

export default async function setup(project: TestProject) {
  const server = await resolveTestServer();
  await dropLeftovers(server.adminUrl);
  const template = `assay_tpl_${process.pid}_${Date.now().toString(36)}`;
  await withAdminClient(server.adminUrl, (c) => c.query(`create database ${template}`));
  const orm = await MikroORM.init(ormConfig({ clientUrl: databaseUrl(server.adminUrl, template) }));
  try {
    await migrate(orm);
    await seedDemoData(orm.em.fork(), DEMO_PASSWORD);
  } finally {
    await orm.close(true);
  }
  process.stdout.write(`[test] PostgreSQL: ${server.source}; template ${template}\n`);
  project.provide('pgAdminUrl', server.adminUrl);
  project.provide('templateDatabase', template);
  project.provide('runPid', process.pid);

  return async () => {
    await withAdminClient(server.adminUrl, (c) => c.query(`drop database if exists ${template} with (force)`));
    await server.stop();
  };
}
