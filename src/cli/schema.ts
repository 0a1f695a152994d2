import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { printSchema } from 'graphql';
import { projectRoot } from '../project-root';
import { buildBareSchema } from '../schema';

export const SCHEMA_FILE = path.join(projectRoot, 'schema.graphql');

export const printedSchema = async () => `${printSchema(await buildBareSchema())}\n`;

export async function schemaCommand(): Promise<void> {
  await writeFile(SCHEMA_FILE, await printedSchema());
  process.stdout.write(`Wrote ${SCHEMA_FILE}\n`);
}
