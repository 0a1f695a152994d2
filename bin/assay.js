#!/usr/bin/env node
// The CLI runs its compiled build (dist/, `npm run build`) when that is current, else the
// TypeScript sources through swc (a development install), which keeps decorator metadata.
const path = require('node:path');
const { currentBuild } = require('./build-state');

const built = currentBuild(path.join(__dirname, '..'));
if (built) {
  require(built);
} else {
  let swc;
  try {
    swc = require.resolve('@swc-node/register');
  } catch {
    process.stderr.write('assay: dist/ is missing or older than the sources, and @swc-node/register is not installed: run npm run build\n');
    process.exit(1);
  }
  // swc-node reads tsconfig.json from the working directory unless told otherwise.
  process.env.SWC_NODE_PROJECT ??= path.join(__dirname, '..', 'tsconfig.json');
  require(swc);
  require('../src/cli/main.ts');
}
