import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';

/**
 * Client operations in the contract. The suite validates the copies kept in test/contract, so
 * it runs in any clone; where the shared contract folder sits beside the repository, the
 * copies must also still match it.
 */
const copiesDir = path.resolve(__dirname, 'contract');
const sharedDir = process.env.CONTRACT_DIR ?? path.resolve(__dirname, '../../shared/contract');
const schema = buildSchema(readFileSync(path.resolve(__dirname, '../schema.graphql'), 'utf8'));

/** Files whose capability is not built yet, with the issue that builds it. Remove a line when its issue lands. */
const PENDING: Record<string, string> = {};

const graphqlFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.graphql')).sort();
const copies = graphqlFiles(copiesDir);

const problemsOf = (file: string) =>
  validate(schema, parse(readFileSync(path.join(copiesDir, file), 'utf8'))).map((e) => e.message);

describe('client contract', () => {
  it('has its copies in test/contract', () => {
    expect(copies.length, `no .graphql files in ${copiesDir}`).toBeGreaterThan(0);
  });

  if (existsSync(sharedDir)) {
    it(`copies match ${sharedDir}`, () => {
      const shared = graphqlFiles(sharedDir);
      expect(copies, 'the same files as the shared contract').toEqual(shared);
      for (const file of shared) {
        const copy = readFileSync(path.join(copiesDir, file), 'utf8');
        expect(copy, `test/contract/${file} differs from the shared contract`).toBe(
          readFileSync(path.join(sharedDir, file), 'utf8'),
        );
      }
    });
  } else {
    it(`has no shared contract folder to compare with (${sharedDir})`, () => {
      console.info(`[contract] ${sharedDir} is absent: validating the copies in test/contract only`);
      expect(existsSync(sharedDir)).toBe(false);
    });
  }

  for (const file of copies) {
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
