import path from 'node:path';
import type { Knex } from '@mikro-orm/postgresql';
import {
  deleteEvidenceExcept,
  insertAssessmentRows,
  updateAssessmentRows,
  upsertEvidenceRows,
  type AssessmentSqlRow,
  type EvidenceSqlRow,
  type Execute,
} from '../../db/assessment-sql';
import { isDatabaseUnavailable } from '../../db/unavailable';
import { AuditAction } from '../../entities/audit-action';
import { Role } from '../../entities/role';
import { AppError } from '../../errors';
import { appendAuditOnKnex, type AuditSource } from '../audit.service';
import { fileDigest } from '../file-digest';
import { readManifest, type ExportManifest } from './manifest';
import { detectFormat, readRecords, type TransferFormat } from './read-records';
import { assessmentRecordSchema, describeIssues, type AssessmentRecord } from './record';

export const ON_DUPLICATE = ['skip', 'update', 'error'] as const;
export type OnDuplicate = (typeof ON_DUPLICATE)[number];

export interface ImportOptions {
  input: string;
  /** What to do with a record whose id is already stored. */
  onDuplicate: OnDuplicate;
  /** Validate and count, write nothing. */
  dryRun?: boolean;
  /** Records per transaction. */
  batchSize?: number;
  /** Who runs the import: each written batch is recorded in the audit log in its own transaction. */
  audit: AuditSource;
}

export interface ImportProblem {
  location: string;
  message: string;
}

export interface ImportReport {
  format: TransferFormat;
  records: number;
  inserted: number;
  updated: number;
  skipped: number;
  rejected: number;
  evidenceWritten: number;
  dryRun: boolean;
  /** Batches committed; with problems, always 0. */
  batches: number;
  problems: ImportProblem[];
}

interface Located {
  location: string;
  record: AssessmentRecord;
}

const MAX_PROBLEMS_LISTED = 100;

/** A manifest beside the file (from `assay export`) must agree with it: a cut-short copy is caught here. */
async function manifestProblem(file: string): Promise<ImportProblem | null> {
  let manifest: ExportManifest | null;
  try {
    manifest = await readManifest(file);
  } catch (error) {
    if (error instanceof AppError) return { location: 'manifest', message: error.message };
    throw error;
  }
  if (!manifest) return null;
  const actual = (await fileDigest(file)).sha256;
  if (manifest.sha256 === actual) return null;
  return { location: 'manifest', message: `the file's SHA-256 (${actual}) differs from its manifest (${manifest.sha256}): changed or cut short` };
}

/** Reads and validates every record (shape, then each record against its neighbours). */
async function* validRecords(
  file: string,
  format: TransferFormat,
  reject: (p: ImportProblem) => void,
  count: { records: number } = { records: 0 },
): AsyncGenerator<Located> {
  const firstSeen = new Map<string, string>();
  const evidenceSeen = new Map<string, string>();
  for await (const raw of readRecords(file, format)) {
    count.records += 1;
    if (raw.error !== undefined) {
      reject({ location: raw.location, message: raw.error });
      continue;
    }
    const parsed = assessmentRecordSchema.safeParse(raw.value);
    if (!parsed.success) {
      reject({ location: raw.location, message: describeIssues(parsed.error) });
      continue;
    }
    const record = parsed.data;
    const earlier = firstSeen.get(record.id);
    if (earlier) {
      reject({ location: raw.location, message: `id ${record.id} already appears at ${earlier}` });
      continue;
    }
    firstSeen.set(record.id, raw.location);
    const clash = record.evidence.findIndex((e) => evidenceSeen.has(e.id));
    if (clash >= 0) {
      const id = record.evidence[clash].id;
      reject({ location: raw.location, message: `evidence.${clash}.id ${id} already appears at ${evidenceSeen.get(id)}` });
      continue;
    }
    for (const e of record.evidence) evidenceSeen.set(e.id, raw.location);
    yield { location: raw.location, record };
  }
}

async function* batches<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

const toAssessmentRow = (r: AssessmentRecord): AssessmentSqlRow => ({
  id: r.id,
  student_id: r.studentId,
  skill_type: r.skillType,
  score: r.score,
  confidence: r.confidence,
  reasoning: r.reasoning,
  source: r.source,
  model_name: r.modelName,
  model_version: r.modelVersion,
  feature_importance: r.featureImportance,
  created_at: r.createdAt,
  updated_at: r.updatedAt,
});

const toEvidenceRows = (r: AssessmentRecord): EvidenceSqlRow[] =>
  r.evidence.map((e) => ({
    id: e.id,
    assessment_id: r.id,
    kind: e.kind,
    content: e.content,
    source_ref: e.sourceRef,
    relevance: e.relevance,
    created_at: e.createdAt,
  }));

/**
 * Imports an export file (JSON Lines or a JSON array). First every record is validated,
 * against the schema and against the database (students exist, duplicates per
 * `onDuplicate`, evidence ids not owned by another assessment); any problem rejects the
 * whole file and nothing is written. Then the records are written in batches, one
 * transaction each, keeping their ids and timestamps.
 */
export async function importAssessments(knex: Knex, options: ImportOptions): Promise<ImportReport> {
  const format = await detectFormat(options.input);
  const batchSize = options.batchSize ?? 500;
  const report: ImportReport = {
    format,
    records: 0,
    inserted: 0,
    updated: 0,
    skipped: 0,
    rejected: 0,
    evidenceWritten: 0,
    dryRun: options.dryRun ?? false,
    batches: 0,
    problems: [],
  };
  const reject = (problem: ImportProblem) => {
    report.rejected += 1;
    if (report.problems.length < MAX_PROBLEMS_LISTED) report.problems.push(problem);
  };
  const students = new Map<string, boolean>();

  const checkBatch = async (batch: Located[]) => {
    const unknownStudents = [...new Set(batch.map((l) => l.record.studentId))].filter((id) => !students.has(id));
    if (unknownStudents.length) {
      const rows = await knex<{ id: string; role: Role }>('users').select('id', 'role').whereIn('id', unknownStudents);
      for (const id of unknownStudents) students.set(id, rows.some((r) => r.id === id && r.role === Role.STUDENT));
    }
    const existing = new Set(
      (await knex('skill_assessments').select('id').whereIn('id', batch.map((l) => l.record.id))).map((r: { id: string }) => r.id),
    );
    const evidenceOwner = new Map<string, string>(
      (
        await knex('evidence')
          .select('id', 'assessment_id')
          .whereIn('id', batch.flatMap((l) => l.record.evidence.map((e) => e.id)))
      ).map((r: { id: string; assessment_id: string }) => [r.id, r.assessment_id]),
    );
    for (const { location, record } of batch) {
      const duplicate = existing.has(record.id);
      if (!students.get(record.studentId)) reject({ location, message: `studentId: no student with id ${record.studentId}` });
      else if (duplicate && options.onDuplicate === 'error') {
        reject({ location, message: `id ${record.id} is already stored (--on-duplicate error); use skip or update` });
      } else if (duplicate && options.onDuplicate === 'skip') report.skipped += 1;
      else {
        const stolen = record.evidence.findIndex((e) => (evidenceOwner.get(e.id) ?? record.id) !== record.id);
        if (stolen >= 0) {
          const id = record.evidence[stolen].id;
          reject({ location, message: `evidence.${stolen}.id ${id} already belongs to assessment ${evidenceOwner.get(id)}` });
        } else if (duplicate) report.updated += 1;
        else report.inserted += 1;
      }
    }
  };

  const manifest = await manifestProblem(options.input);
  for await (const batch of batches(validRecords(options.input, format, reject, report), batchSize)) await checkBatch(batch);
  if (manifest) reject(manifest);
  if (report.rejected > 0) return { ...report, inserted: 0, updated: 0, skipped: 0 };
  if (report.dryRun) return report;

  const written: Written = { inserted: 0, updated: 0, skipped: 0, evidence: 0 };
  const fileChanged = () => {
    throw new Error('the file changed while it was being imported');
  };
  try {
    for await (const batch of batches(validRecords(options.input, format, fileChanged), batchSize)) {
      const counts = await writeBatch(knex, batch, options);
      written.inserted += counts.inserted;
      written.updated += counts.updated;
      written.skipped += counts.skipped;
      written.evidence += counts.evidence;
      report.batches += 1;
    }
  } catch (error) {
    // Earlier batches stay committed; ids are kept, so a re-run with --on-duplicate skip finishes the job.
    throw new Error(
      `import stopped after ${report.batches} committed batch(es) (${written.inserted} inserted, ${written.updated} updated): ` +
        `${isDatabaseUnavailable(error) ? 'the database is unavailable' : (error as Error).message}; re-run with --on-duplicate skip to finish`,
    );
  }
  return { ...report, inserted: written.inserted, updated: written.updated, skipped: written.skipped, evidenceWritten: written.evidence };
}

interface Written {
  inserted: number;
  updated: number;
  skipped: number;
  evidence: number;
}

/** One batch, one transaction: new records inserted, duplicates skipped or replaced with their evidence set. */
async function writeBatch(knex: Knex, batch: Located[], { onDuplicate, audit, input }: ImportOptions): Promise<Written> {
  return knex.transaction(async (trx) => {
    const execute: Execute = (sql, params) => trx.raw(sql, params as Knex.RawBinding[]);
    const ids = batch.map((l) => l.record.id);
    // Looked up again inside the transaction (rows to update are locked): something stored since
    // validation is skipped or updated as asked, and under `error` fails the batch whole.
    const existing = new Set(
      (await trx('skill_assessments').select('id').whereIn('id', ids).forUpdate()).map((r: { id: string }) => r.id),
    );
    if (existing.size && onDuplicate === 'error') throw new Error(`assessment ${[...existing][0]} was stored meanwhile`);
    const fresh = batch.filter((l) => !existing.has(l.record.id)).map((l) => l.record);
    const changed = onDuplicate === 'update' ? batch.filter((l) => existing.has(l.record.id)).map((l) => l.record) : [];
    await insertAssessmentRows(execute, fresh.map(toAssessmentRow));
    await updateAssessmentRows(execute, changed.map(toAssessmentRow));
    await deleteEvidenceExcept(
      execute,
      changed.map((r) => r.id),
      changed.flatMap((r) => r.evidence.map((e) => e.id)),
    );
    const evidence = [...fresh, ...changed].flatMap(toEvidenceRows);
    await upsertEvidenceRows(execute, evidence);
    const written = {
      inserted: fresh.length,
      updated: changed.length,
      skipped: batch.length - fresh.length - changed.length,
      evidence: evidence.length,
    };
    await appendAuditOnKnex(trx, audit, {
      action: AuditAction.IMPORT,
      resourceType: 'SkillAssessment',
      details: { file: path.basename(input), onDuplicate, firstLine: batch[0].location, lastLine: batch.at(-1)!.location, ...written },
    });
    return written;
  });
}
