import { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { migrate } from '../../src/db/migrator';
import { ormConfig } from '../../src/db/orm-config';
import { seedDemoData } from '../../src/db/seed';

export const DEMO_PASSWORD = 'assay-demo';

/** Creates the database when missing, applies pending migrations and loads the demo data when it has no users. */
export async function prepareDemoDatabase(databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const admin = new Client({ connectionString: Object.assign(new URL(databaseUrl), { pathname: '/postgres' }).toString() });
  await admin.connect();
  try {
    const exists = (await admin.query('select 1 from pg_database where datname = $1', [name])).rowCount! > 0;
    if (!exists) await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const orm = await MikroORM.init(ormConfig({ clientUrl: databaseUrl }));
  try {
    await migrate(orm);
    const [{ n }] = await orm.em.getConnection().execute<{ n: string }[]>('select count(*) as n from users');
    if (Number(n) === 0) await seedDemoData(orm.em.fork(), DEMO_PASSWORD);
  } finally {
    await orm.close(true);
  }
}
