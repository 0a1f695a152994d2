import { access } from 'node:fs/promises';
import { notFound } from '../../errors';
import { fileDigest } from '../file-digest';
import { manifestPathOf, readManifest, type ExportManifest } from './manifest';
import { readRecords } from './read-records';

export interface ManifestMismatch {
  field: 'sha256' | 'bytes' | 'assessments' | 'evidence';
  manifest: string | number;
  actual: string | number;
}

export interface ExportVerification {
  manifest: ExportManifest;
  actual: { sha256: string; bytes: number; assessments: number; evidence: number };
  mismatches: ManifestMismatch[];
  /** Records that are not JSON (`line 7`, `record 3`): a cut or edited file. */
  unreadable: string[];
  ok: boolean;
}

/** Records and their evidence as the file holds them now, read the way import reads them. */
async function countRecords(file: string, manifest: ExportManifest) {
  const counted = { assessments: 0, evidence: 0, unreadable: [] as string[] };
  for await (const raw of readRecords(file, manifest.format)) {
    counted.assessments += 1;
    if (raw.error !== undefined) counted.unreadable.push(raw.location);
    const evidence = (raw.value as { evidence?: unknown } | null)?.evidence;
    if (Array.isArray(evidence)) counted.evidence += evidence.length;
  }
  return counted;
}

/**
 * Checks an export (or backup) against the manifest written beside it: the SHA-256 and size
 * of the file and the assessments and evidence it holds. It reads only the files, so it can
 * vouch for a copy kept far from the database (under another name, too: the manifest's
 * `file` is what it was called when written).
 */
export async function verifyExport(file: string): Promise<ExportVerification> {
  await access(file).catch(() => {
    throw notFound(`export file ${file}`);
  });
  const manifest = await readManifest(file);
  if (!manifest) throw notFound(`manifest ${manifestPathOf(file)}`);
  const [digest, counted] = await Promise.all([fileDigest(file), countRecords(file, manifest)]);
  const actual = { sha256: digest.sha256, bytes: digest.bytes, assessments: counted.assessments, evidence: counted.evidence };
  const expected = { sha256: manifest.sha256, bytes: manifest.bytes, ...manifest.counts };
  const mismatches = (['sha256', 'bytes', 'assessments', 'evidence'] as const)
    .filter((field) => expected[field] !== actual[field])
    .map((field) => ({ field, manifest: expected[field], actual: actual[field] }));
  return { manifest, actual, mismatches, unreadable: counted.unreadable, ok: mismatches.length === 0 && counted.unreadable.length === 0 };
}
