/**
 * Bulk writes of assessments and evidence: one statement per batch, the rows passed as
 * one JSON parameter and unpacked by jsonb_to_recordset (knex would expand an array
 * parameter into a list). Keys are the column names. Used by the demo seed and by import.
 */
export interface AssessmentSqlRow {
  id: string;
  student_id: string;
  skill_type: string;
  score: number;
  confidence: number;
  reasoning: string;
  source: string;
  model_name: string;
  model_version: string;
  feature_importance: Record<string, number> | null;
  /** ISO 8601; microseconds are kept */
  created_at: string;
  updated_at: string;
}

export interface EvidenceSqlRow {
  id: string;
  assessment_id: string;
  kind: string;
  content: string;
  source_ref: string | null;
  relevance: number | null;
  created_at: string;
}

/** Runs one statement with `?` placeholders, inside whatever transaction the caller holds. */
export type Execute = (sql: string, params: unknown[]) => Promise<unknown>;

const ASSESSMENT_COLUMNS = [
  'id',
  'student_id',
  'skill_type',
  'score',
  'confidence',
  'reasoning',
  'source',
  'model_name',
  'model_version',
  'feature_importance',
  'created_at',
  'updated_at',
];
const ASSESSMENT_RECORDSET = `jsonb_to_recordset(?::jsonb) as r(id uuid, student_id uuid, skill_type text, score numeric,
  confidence numeric, reasoning text, source text, model_name text, model_version text, feature_importance jsonb,
  created_at timestamptz, updated_at timestamptz)`;

const EVIDENCE_COLUMNS = ['id', 'assessment_id', 'kind', 'content', 'source_ref', 'relevance', 'created_at'];
const EVIDENCE_RECORDSET = `jsonb_to_recordset(?::jsonb) as r(id uuid, assessment_id uuid, kind text, content text,
  source_ref text, relevance numeric, created_at timestamptz)`;

const INSERT_ASSESSMENTS = `insert into skill_assessments (${ASSESSMENT_COLUMNS.join(', ')})
  select ${ASSESSMENT_COLUMNS.join(', ')} from ${ASSESSMENT_RECORDSET}`;

const UPDATE_ASSESSMENTS = `update skill_assessments a set ${ASSESSMENT_COLUMNS.filter((c) => c !== 'id')
  .map((c) => `${c} = r.${c}`)
  .join(', ')} from ${ASSESSMENT_RECORDSET} where a.id = r.id`;

/** Evidence is upserted by id, but never moved from one assessment to another. */
const UPSERT_EVIDENCE = `insert into evidence (${EVIDENCE_COLUMNS.join(', ')})
  select ${EVIDENCE_COLUMNS.join(', ')} from ${EVIDENCE_RECORDSET}
  on conflict (id) do update set ${EVIDENCE_COLUMNS.filter((c) => c !== 'id' && c !== 'assessment_id')
    .map((c) => `${c} = excluded.${c}`)
    .join(', ')}
  where evidence.assessment_id = excluded.assessment_id`;

const CHUNK = 5_000;

async function inChunks<T>(rows: T[], run: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await run(rows.slice(i, i + CHUNK));
}

export const insertAssessmentRows = (execute: Execute, rows: AssessmentSqlRow[]) =>
  inChunks(rows, (chunk) => execute(INSERT_ASSESSMENTS, [JSON.stringify(chunk)]));

export const updateAssessmentRows = (execute: Execute, rows: AssessmentSqlRow[]) =>
  inChunks(rows, (chunk) => execute(UPDATE_ASSESSMENTS, [JSON.stringify(chunk)]));

export const upsertEvidenceRows = (execute: Execute, rows: EvidenceSqlRow[]) =>
  inChunks(rows, (chunk) => execute(UPSERT_EVIDENCE, [JSON.stringify(chunk)]));

/** Removes the evidence of these assessments that is not among `keep` (an update replaces the set). */
export async function deleteEvidenceExcept(execute: Execute, assessmentIds: string[], keep: string[]): Promise<void> {
  if (assessmentIds.length === 0) return;
  await execute(`delete from evidence where assessment_id = any(?::uuid[]) and not (id = any(?::uuid[]))`, [
    `{${assessmentIds.join(',')}}`,
    `{${keep.join(',')}}`,
  ]);
}
