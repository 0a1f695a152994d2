import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The folder that holds package.json, found upwards from this file: the same whether the
 * code runs from its sources (src/) or from the build (dist/src/), so the data folder and
 * schema.graphql resolve alike in both.
 */
export const projectRoot = ((): string => {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`No package.json above ${__dirname}`);
  }
})();
