import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/*
 * bin/build-state.js decides whether `assay` runs dist/ or the sources, and whether
 * `npm start` builds first: a build is current when its CLI entry is newer than every
 * source it is compiled from.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { currentBuild } = require('../bin/build-state') as { currentBuild: (root: string) => string | null };

let root: string;
const at = (file: string, seconds: number) => utimes(path.join(root, file), seconds, seconds);

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'assay-build-'));
  await mkdir(path.join(root, 'src/cli'), { recursive: true });
  await mkdir(path.join(root, 'migrations'));
  await writeFile(path.join(root, 'src/cli/main.ts'), '');
  await writeFile(path.join(root, 'migrations/index.ts'), '');
  await writeFile(path.join(root, 'tsconfig.json'), '{}');
  for (const file of ['src/cli/main.ts', 'migrations/index.ts', 'tsconfig.json']) await at(file, 1_000);
});
afterEach(() => rm(root, { recursive: true, force: true }));

async function build(seconds: number) {
  await mkdir(path.join(root, 'dist/src/cli'), { recursive: true });
  await writeFile(path.join(root, 'dist/src/cli/main.js'), '');
  await at('dist/src/cli/main.js', seconds);
}

describe('currentBuild', () => {
  it('is null without a build', () => {
    expect(currentBuild(root)).toBeNull();
  });

  it('is the compiled entry once it is newer than every source', async () => {
    await build(2_000);
    expect(currentBuild(root)).toBe(path.join(root, 'dist/src/cli/main.js'));
  });

  it('is null again once a source, a migration or the compiler settings change after the build', async () => {
    for (const file of ['src/cli/main.ts', 'migrations/index.ts', 'tsconfig.json']) {
      await build(2_000);
      await at(file, 3_000);
      expect(currentBuild(root), file).toBeNull();
      await at(file, 1_000);
    }
  });
});
