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

  it('test/generated/graphql.ts matches codegen output (run `npm run codegen`)', async () => {
    const [output] = await generate({ cwd: root, ...(await import('yaml')).parse(await readFile(path.join(root, 'codegen.yml'), 'utf8')), silent: true }, false);
    const committed = await readFile(path.join(root, 'test/generated/graphql.ts'), 'utf8');
    expect(committed, 'test/generated/graphql.ts is stale: run `npm run codegen`').toBe(output.content);
  });

  it('sources and CommonJS dependencies share one graphql module', () => {
    expect(GraphQLError).toBe(GraphQLErrorFromCjs);
  });
});
