import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrationsList } from '../migrations';
import { runProcess } from './support/cli';

/*
 * Migrations are hand-written and listed in migrations/index.ts, which built code, tests
 * and the CLI all load: a file left out of the list would never run.
 */
const root = path.resolve(__dirname, '..');

describe('migrations', () => {
  it('lists every migration file in migrations/index.ts, in order', async () => {
    const files = (await readdir(path.join(root, 'migrations'))).filter((f) => /^Migration\d{14}_\w+\.ts$/.test(f)).map((f) => f.replace(/\.ts$/, ''));
    expect(migrationsList.map((m) => m.name)).toEqual(files.sort());
  });

  it('npm run migration:create writes a blank migration, with no database', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'assay-migration-'));
    try {
      const created = await runProcess('npm', ['run', '--silent', 'migration:create', '--', '--blank', '--name', 'probe', '--path', folder], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
      });
      expect(created.code, created.stdout + created.stderr).toBe(0);
      const [file] = await readdir(folder);
      expect(file).toMatch(/^Migration\d{14}_probe\.ts$/);
      expect(await readFile(path.join(folder, file), 'utf8')).toMatch(/export class Migration\d{14}_probe extends Migration/);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
