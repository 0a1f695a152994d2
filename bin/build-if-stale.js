#!/usr/bin/env node
// `npm start` runs this first: it compiles the sources to dist/ unless dist/ is current.
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { currentBuild } = require('./build-state');

const root = path.join(__dirname, '..');
if (!currentBuild(root)) {
  process.stdout.write('Building dist/ from the sources (npm run build)…\n');
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  const { status } = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  process.exit(status ?? 1);
}
