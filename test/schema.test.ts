import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { GraphQLError as GraphQLErrorFromCjs } from 'graphql/index.js';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { printedSchema, SCHEMA_FILE } from '../src/cli/schema';

const root = path.resolve(__dirname, '..');

describe('committed artefacts', () => {
  it('schema.graphql matches the schema the code builds (run `npm run codegen`)', async () => {
    const committed = await readFile(SCHEMA_FILE, 'utf8');
    expect(committed, 'schema.graphql is stale: run `npm run codegen`').toBe(await printedSchema());
  });

  it('the typed documents of the tests and the TypeScript example match codegen output (run `npm run codegen`)', async () => {
    const outputs = await generate({ cwd: root, ...(await import('yaml')).parse(await readFile(path.join(root, 'codegen.yml'), 'utf8')), silent: true }, false);
    expect(outputs.map((o: { filename: string }) => path.relative(root, o.filename)).sort()).toEqual(['examples/generated/graphql.ts', 'test/generated/graphql.ts']);
    for (const output of outputs as { filename: string; content: string }[]) {
      const file = path.relative(root, output.filename);
      expect(await readFile(path.join(root, file), 'utf8'), `${file} is stale: run \`npm run codegen\``).toBe(output.content);
    }
  });

  it('sources and CommonJS dependencies share one graphql module', () => {
    expect(GraphQLError).toBe(GraphQLErrorFromCjs);
  });
});
