// Whether dist/ (`npm run build`) holds a build of the current sources: its CLI entry is
// newer than every file it is compiled from. Plain JavaScript, so it runs before any build.
const { existsSync, readdirSync, statSync } = require('node:fs');
const path = require('node:path');

const SOURCES = ['src', 'migrations', 'tsconfig.json', 'tsconfig.build.json'];
const ENTRY = path.join('dist', 'src', 'cli', 'main.js');

function newestChange(file) {
  const stat = statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(file).map((name) => newestChange(path.join(file, name))));
}

/** The compiled CLI's path when it is current, else null. */
function currentBuild(root) {
  const entry = path.join(root, ENTRY);
  if (!existsSync(entry)) return null;
  const built = statSync(entry).mtimeMs;
  const sources = SOURCES.map((name) => path.join(root, name)).filter((file) => existsSync(file));
  return sources.every((file) => newestChange(file) <= built) ? entry : null;
}

module.exports = { currentBuild };
