import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';

/** Client operations in the contract (shared/contract); every file must validate against the emitted schema. */
const contractDir = process.env.CONTRACT_DIR ?? path.resolve(__dirname, '../../shared/contract');
const schema = buildSchema(readFileSync(path.resolve(__dirname, '../schema.graphql'), 'utf8'));

/** Files whose capability is not built yet, with the issue that builds it. Remove a line when its issue lands. */
const PENDING: Record<string, string> = {
};

const files = existsSync(contractDir) ? readdirSync(contractDir).filter((f) => f.endsWith('.graphql')).sort() : [];

const problemsOf = (file: string) =>
  validate(schema, parse(readFileSync(path.join(contractDir, file), 'utf8'))).map((e) => e.message);

describe('client contract', () => {
  it('finds the contract folder', () => {
    expect(files.length, `no .graphql files in ${contractDir} (set CONTRACT_DIR)`).toBeGreaterThan(0);
  });

  for (const file of files) {
    if (PENDING[file]) {
      it(`${file} is pending: ${PENDING[file]}`, () => {
        const problems = problemsOf(file);
        console.info(`[contract] ${file} pending (${PENDING[file]}): ${problems.length} problem(s) left`);
        expect(problems.length, `${file} now validates: remove it from PENDING`).toBeGreaterThan(0);
      });
    } else {
      it(`${file} validates against schema.graphql`, () => {
        expect(problemsOf(file), `${file} no longer fits the schema`).toEqual([]);
      });
    }
  }
});
