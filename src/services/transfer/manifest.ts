import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { badInput } from '../../errors';
import type { TransferFormat } from './read-records';

/** Written beside every export: what it holds and the digest of the file as written. */
export interface ExportManifest {
  kind: 'assay.assessments';
  version: 1;
  file: string;
  format: TransferFormat;
  sha256: string;
  bytes: number;
  counts: { assessments: number; evidence: number };
  filter: Record<string, unknown>;
  exportedAt: string;
}

export const manifestPathOf = (file: string) => `${file}.manifest.json`;

const count = z.number().int().min(0);

/** The fields a check of the file relies on; anything else in the manifest is informational. */
const manifestSchema = z.looseObject({
  kind: z.literal('assay.assessments'),
  file: z.string(),
  format: z.enum(['jsonl', 'json']),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: count,
  counts: z.object({ assessments: count, evidence: count }),
});

/** The manifest beside an export, or null when there is none; one that cannot be read as a manifest is refused. */
export async function readManifest(file: string): Promise<ExportManifest | null> {
  const manifestPath = manifestPathOf(file);
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badInput(`${path.basename(manifestPath)} is not valid JSON`);
  }
  if (!manifestSchema.safeParse(parsed).success) throw badInput(`${path.basename(manifestPath)} is not an assessment export manifest`);
  return parsed as ExportManifest;
}
