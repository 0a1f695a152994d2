import { length as isLength } from 'class-validator';
import { z } from 'zod';
import { AssessmentSource, EvidenceKind, SkillType } from '../../entities/skill';
import { MAX_EVIDENCE_PER_ASSESSMENT } from '../assessment.service';
import { featureImportanceProblem, isUnitScore, UNIT_SCORE_RULE } from '../unit-interval';

/**
 * One assessment with its evidence: a line of a JSON Lines export, an element of a JSON
 * export. Timestamps are ISO 8601 UTC with microseconds (what PostgreSQL keeps), so an
 * export read back gives identical rows.
 */
export interface EvidenceRecord {
  id: string;
  kind: EvidenceKind;
  content: string;
  sourceRef: string | null;
  relevance: number | null;
  createdAt: string;
}

export interface AssessmentRecord {
  id: string;
  studentId: string;
  skillType: SkillType;
  score: number;
  confidence: number;
  reasoning: string;
  source: AssessmentSource;
  modelName: string;
  modelVersion: string;
  featureImportance: Record<string, number> | null;
  createdAt: string;
  updatedAt: string;
  evidence: EvidenceRecord[];
}

/** Timestamps later than now by more than this are refused as clock errors. */
const CLOCK_SKEW_MS = 5 * 60_000;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

const timestamp = z
  .string()
  .regex(ISO_UTC, 'must be an ISO 8601 UTC timestamp like 2026-01-31T09:30:00.000000Z')
  .refine((v) => !Number.isNaN(Date.parse(v)), 'is not a real date')
  .refine((v) => Date.parse(v) <= Date.now() + CLOCK_SKEW_MS, 'is in the future');

const unitScore = z.number({ error: `must be ${UNIT_SCORE_RULE}` }).refine(isUnitScore, `must be ${UNIT_SCORE_RULE}`);
/**
 * Lengths as the API's inputs count them (class-validator's @Length: a surrogate pair, or a
 * character with its emoji presentation selector, is one), so what the API stored imports back.
 */
const length = (min: number, max: number) => (v: string) => isLength(v, min, max);
const text = (max: number) =>
  z
    .string()
    .refine(length(0, max), `must be at most ${max} characters`)
    .regex(/\S/, 'must not be blank');
/** Any UUID PostgreSQL accepts, not only RFC 4122 variants. */
const uuid = z.guid('must be a UUID');

const evidenceSchema = z.strictObject({
  id: uuid,
  kind: z.enum(EvidenceKind),
  content: text(10_000),
  sourceRef: z.string().refine(length(1, 256), 'must be 1 to 256 characters').nullable().default(null),
  relevance: unitScore.nullable().default(null),
  createdAt: timestamp,
});

export const assessmentRecordSchema = z
  .strictObject({
    id: uuid,
    studentId: uuid,
    skillType: z.enum(SkillType),
    score: unitScore,
    confidence: unitScore,
    reasoning: text(20_000),
    source: z.enum(AssessmentSource),
    modelName: text(128),
    modelVersion: text(64),
    featureImportance: z
      .record(z.string(), z.number())
      .nullable()
      .default(null)
      .superRefine((value, ctx) => {
        const problem = featureImportanceProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    createdAt: timestamp,
    updatedAt: timestamp,
    evidence: z.array(evidenceSchema).max(MAX_EVIDENCE_PER_ASSESSMENT),
  })
  .superRefine((record, ctx) => {
    if (Date.parse(record.updatedAt) < Date.parse(record.createdAt)) {
      ctx.addIssue({ code: 'custom', path: ['updatedAt'], message: 'must not be before createdAt' });
    }
    const seen = new Set<string>();
    record.evidence.forEach((e, i) => {
      if (seen.has(e.id)) ctx.addIssue({ code: 'custom', path: ['evidence', i, 'id'], message: 'appears twice in this record' });
      seen.add(e.id);
    });
  });

/** "score: must be …; evidence.2.kind: …" — field paths and messages, never the values. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'record'}: ${i.message}`).join('; ');
}

/** SQL expression: a timestamptz column as ISO 8601 UTC text with microseconds. */
export const isoText = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
