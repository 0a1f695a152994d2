import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Knex } from '@mikro-orm/postgresql';
import { AuditAction } from '../../entities/audit-action';
import { appendAuditOnKnex, type AuditSource } from '../audit.service';
import type { SkillType } from '../../entities/skill';
import { badInput } from '../../errors';
import type { AssessmentRecord, EvidenceRecord } from './record';
import { isoText } from './record';
import { manifestPathOf, type ExportManifest } from './manifest';
import type { TransferFormat } from './read-records';

export interface ExportFilter {
  studentId?: string;
  skillTypes?: SkillType[];
  /** created at or after */
  from?: Date;
  /** created before */
  to?: Date;
}

export interface ExportOptions {
  output: string;
  format?: TransferFormat;
  filter?: ExportFilter;
  /** Assessments per query; memory holds one batch at a time. */
  batchSize?: number;
  /** Who exports: the finished export is recorded in the audit log. */
  audit: AuditSource;
  /** What the export is for, in the audit entry (e.g. `backup`). */
  purpose?: string;
}

export interface ExportResult extends ExportManifest {
  path: string;
  manifestPath: string;
}

const ASSESSMENT_COLUMNS = `id, student_id, skill_type, score::text as score, confidence::text as confidence, reasoning, source,
  model_name, model_version, feature_importance, ${isoText('created_at')} as created_at_iso, ${isoText('updated_at')} as updated_at_iso`;
const EVIDENCE_COLUMNS = `id, assessment_id, kind, content, source_ref, relevance::text as relevance, ${isoText('created_at')} as created_at_iso`;

interface AssessmentRow {
  id: string;
  student_id: string;
  skill_type: SkillType;
  score: string;
  confidence: string;
  reasoning: string;
  source: AssessmentRecord['source'];
  model_name: string;
  model_version: string;
  feature_importance: Record<string, number> | null;
  created_at_iso: string;
  updated_at_iso: string;
}

interface EvidenceRow {
  id: string;
  assessment_id: string;
  kind: EvidenceRecord['kind'];
  content: string;
  source_ref: string | null;
  relevance: string | null;
  created_at_iso: string;
}

function batchQuery(trx: Knex.Transaction, filter: ExportFilter, after: AssessmentRow | null, limit: number) {
  const query = trx('skill_assessments').select(trx.raw(ASSESSMENT_COLUMNS)).orderBy(['created_at', 'id']).limit(limit);
  if (filter.studentId) query.where('student_id', filter.studentId);
  if (filter.skillTypes?.length) query.whereIn('skill_type', filter.skillTypes);
  if (filter.from) query.where('created_at', '>=', filter.from);
  if (filter.to) query.where('created_at', '<', filter.to);
  // Keyset on the exact stored timestamp (microseconds), so no row is skipped or repeated.
  if (after) query.whereRaw('(created_at, id) > (?::timestamptz, ?::uuid)', [after.created_at_iso, after.id]);
  return query as unknown as Promise<AssessmentRow[]>;
}

const toRecord = (a: AssessmentRow, evidence: EvidenceRow[]): AssessmentRecord => ({
  id: a.id,
  studentId: a.student_id,
  skillType: a.skill_type,
  score: Number(a.score),
  confidence: Number(a.confidence),
  reasoning: a.reasoning,
  source: a.source,
  modelName: a.model_name,
  modelVersion: a.model_version,
  featureImportance: a.feature_importance,
  createdAt: a.created_at_iso,
  updatedAt: a.updated_at_iso,
  evidence: evidence.map((e) => ({
    id: e.id,
    kind: e.kind,
    content: e.content,
    sourceRef: e.source_ref,
    relevance: e.relevance === null ? null : Number(e.relevance),
    createdAt: e.created_at_iso,
  })),
});

/** Assessments with their evidence, oldest first, one keyset batch (two queries) at a time. */
async function* records(trx: Knex.Transaction, filter: ExportFilter, batchSize: number): AsyncGenerator<AssessmentRecord> {
  let after: AssessmentRow | null = null;
  for (;;) {
    const batch: AssessmentRow[] = await batchQuery(trx, filter, after, batchSize);
    if (batch.length === 0) return;
    const evidence = await trx('evidence')
      .select<EvidenceRow[]>(trx.raw(EVIDENCE_COLUMNS))
      .whereIn(
        'assessment_id',
        batch.map((a) => a.id),
      )
      .orderBy(['assessment_id', 'created_at', 'id']);
    const byAssessment = new Map<string, EvidenceRow[]>();
    for (const e of evidence) {
      const list = byAssessment.get(e.assessment_id);
      if (list) list.push(e);
      else byAssessment.set(e.assessment_id, [e]);
    }
    for (const a of batch) yield toRecord(a, byAssessment.get(a.id) ?? []);
    after = batch[batch.length - 1];
  }
}

const describeFilter = (filter: ExportFilter): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries({
      studentId: filter.studentId,
      skillTypes: filter.skillTypes?.length ? filter.skillTypes : undefined,
      from: filter.from?.toISOString(),
      to: filter.to?.toISOString(),
    }).filter(([, v]) => v !== undefined),
  );

/**
 * Streams the assessments matching the filter to `output` (JSON Lines, or a JSON array),
 * from one consistent snapshot, then writes `<output>.manifest.json` with counts and the
 * SHA-256 of the file. The file appears only when complete (written aside, then renamed).
 */
export async function exportAssessments(knex: Knex, options: ExportOptions): Promise<ExportResult> {
  const format = options.format ?? 'jsonl';
  const filter = options.filter ?? {};
  if (filter.from && filter.to && filter.from >= filter.to) throw badInput('--from must be before --to');
  const output = path.resolve(options.output);
  const partial = `${output}.partial-${process.pid}`;
  const hash = createHash('sha256');
  const counts = { assessments: 0, evidence: 0 };
  let bytes = 0;

  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });

  await knex.transaction(
    async (trx) => {
      async function* chunks() {
        if (format === 'json') yield Buffer.from('[\n');
        for await (const record of records(trx, filter, options.batchSize ?? 500)) {
          const separator = format === 'json' && counts.assessments > 0 ? ',\n' : '';
          counts.assessments += 1;
          counts.evidence += record.evidence.length;
          yield Buffer.from(`${separator}${JSON.stringify(record)}${format === 'jsonl' ? '\n' : ''}`);
        }
        if (format === 'json') yield Buffer.from(counts.assessments > 0 ? '\n]\n' : ']\n');
      }
      try {
        await pipeline(Readable.from(chunks()), tap, createWriteStream(partial, { flags: 'wx' }));
      } catch (error) {
        await rm(partial, { force: true });
        throw error;
      }
    },
    { isolationLevel: 'repeatable read', readOnly: true },
  );
  await rename(partial, output);

  const manifest: ExportManifest = {
    kind: 'assay.assessments',
    version: 1,
    file: path.basename(output),
    format,
    sha256: hash.digest('hex'),
    bytes,
    counts,
    filter: describeFilter(filter),
    exportedAt: new Date().toISOString(),
  };
  const manifestPath = manifestPathOf(output);
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  // Student data left the database: record what, where to and for whom, once the file is complete.
  await knex.transaction((trx) =>
    appendAuditOnKnex(trx, options.audit, {
      action: AuditAction.EXPORT,
      resourceType: 'SkillAssessment',
      details: { purpose: options.purpose ?? 'export', file: manifest.file, format, sha256: manifest.sha256, counts, filter: manifest.filter },
    }),
  );
  return { ...manifest, path: output, manifestPath };
}
