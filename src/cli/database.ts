import { openDatabase } from '../app';
import type { Config } from '../config';
import { migrate } from '../db/migrator';
import { seedDemoData } from '../db/seed';

const requireUrl = (config: Config, command: string) => {
  if (!config.databaseUrl) throw new Error(`${command} needs DATABASE_URL (the embedded default migrates and seeds itself on start)`);
};

export async function migrateCommand(config: Config): Promise<void> {
  requireUrl(config, 'migrate');
  const db = await openDatabase(config);
  try {
    const applied = await migrate(db.orm);
    process.stdout.write(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}\n` : 'Database is up to date\n');
  } finally {
    await db.close();
  }
}

export async function seedCommand(config: Config): Promise<void> {
  requireUrl(config, 'seed');
  const db = await openDatabase(config);
  try {
    await migrate(db.orm);
    const summary = await seedDemoData(db.orm.em.fork(), config.demoPassword);
    process.stdout.write(`Demo data loaded: ${summary.users} users\n`);
  } finally {
    await db.close();
  }
}
