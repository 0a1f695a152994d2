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
  }
}

/**
 * Builds one migrated template database with the demo data for this run; each test
 * file clones it (CREATE DATABASE … TEMPLATE), so files run in parallel and leave nothing.
 */
export default async function setup(project: TestProject) {
  const server = await resolveTestServer();
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

  return async () => {
    await withAdminClient(server.adminUrl, (c) => c.query(`drop database if exists ${template} with (force)`));
    await server.stop();
  };
}
