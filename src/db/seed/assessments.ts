import type { EntityManager } from '@mikro-orm/postgresql';
import { AssessmentSource, EvidenceKind, PRIMARY_SKILLS, SkillType } from '../../entities/skill';
import { insertAssessmentRows, upsertEvidenceRows, type AssessmentSqlRow, type EvidenceSqlRow } from '../assessment-sql';
import { FEATURES, LEVEL_PHRASES, OTHER_EVIDENCE, SKILL_TEXTS } from './assessment-texts';
import { DemoRandom } from './random';

export const DEMO_SEED = 20_261_121;

/** The demo school year; fixed, and in the past, so the data is the same on every run and never "in the future". */
const YEAR_START = Date.UTC(2025, 8, 1);
const YEAR_END = Date.UTC(2026, 5, 26);
const DAY = 86_400_000;

const SECONDARY_SKILLS = Object.values(SkillType).filter((s) => !PRIMARY_SKILLS.includes(s));

export interface DemoAssessments {
  assessments: AssessmentSqlRow[];
  evidence: EvidenceSqlRow[];
}

const round4 = (x: number) => Math.round(Math.min(0.99, Math.max(0.02, x)) * 10_000) / 10_000;

/** A school day between 08:00 and 15:00 UTC, `fraction` of the way through the year. */
function schoolTime(random: DemoRandom, fraction: number): string {
  const day = Math.floor((YEAR_START + fraction * (YEAR_END - YEAR_START)) / DAY) * DAY;
  return new Date(day + random.int(8 * 3600, 15 * 3600) * 1000).toISOString();
}

function model(random: DemoRandom, at: string): Pick<AssessmentSqlRow, 'source' | 'model_name' | 'model_version' | 'feature_importance'> {
  const late = at >= '2026-02-01';
  if (random.chance(0.6)) {
    return { source: AssessmentSource.AI_MODEL, model_name: 'assay-skill-judge', model_version: late ? 'v2.2' : 'v2.1', feature_importance: null };
  }
  const features = random.sample(FEATURES, 4);
  const weights = features.map(() => random.float(0.05, 1));
  const total = weights.reduce((a, b) => a + b, 0);
  return {
    source: AssessmentSource.ML_INFERENCE,
    model_name: 'skill-gbm',
    model_version: late ? '1.5.0' : '1.4.0',
    feature_importance: Object.fromEntries(features.map((f, i) => [f, Math.round((weights[i] / total) * 1000) / 1000])),
  };
}

function evidenceFor(random: DemoRandom, skill: SkillType, assessmentId: string, at: string): EvidenceSqlRow[] {
  const texts = SKILL_TEXTS[skill];
  return Array.from({ length: random.int(2, 7) }, (): EvidenceSqlRow => {
    const roll = random.float();
    const kind = roll < 0.5 ? EvidenceKind.LINGUISTIC : roll < 0.9 ? EvidenceKind.BEHAVIORAL : EvidenceKind.OTHER;
    const content =
      kind === EvidenceKind.LINGUISTIC ? random.pick(texts.quotes) : kind === EvidenceKind.BEHAVIORAL ? random.pick(texts.observations) : random.pick(OTHER_EVIDENCE);
    const sourceRef =
      kind === EvidenceKind.LINGUISTIC
        ? `transcript:TR-${random.int(10_000, 99_999)}`
        : kind === EvidenceKind.BEHAVIORAL
          ? `game-session:GS-${random.int(10_000, 99_999)}`
          : null;
    return {
      id: random.uuid(),
      assessment_id: assessmentId,
      kind,
      content,
      source_ref: sourceRef,
      relevance: random.chance(0.9) ? Math.round(random.float(0.3, 1) * 10_000) / 10_000 : null,
      created_at: at,
    };
  });
}

/**
 * The demo assessments for the given students (in demo order), a pure function of the seed:
 * every student gets 7-10 assessments of each primary skill and, with chance 0.6, 4-8 of
 * each other skill, each with 2-7 pieces of evidence. Scores follow a per-student level
 * and trend with noise, so summaries and trends look real. About 2,200 assessments and
 * 10,000 evidence rows for 50 students.
 */
export function generateDemoAssessments(studentIds: readonly string[], seed = DEMO_SEED): DemoAssessments {
  const random = new DemoRandom(seed);
  const assessments: AssessmentSqlRow[] = [];
  const evidence: EvidenceSqlRow[] = [];
  for (const studentId of studentIds) {
    const skills = [...PRIMARY_SKILLS, ...SECONDARY_SKILLS.filter(() => random.chance(0.6))];
    for (const skill of skills) {
      const count = PRIMARY_SKILLS.includes(skill) ? random.int(7, 10) : random.int(4, 8);
      const level = random.float(0.3, 0.8);
      const growth = random.float(-0.1, 0.25);
      for (let i = 0; i < count; i++) {
        const progress = (i + random.float(0.1, 0.9)) / count;
        const at = schoolTime(random, progress);
        const score = round4(level + growth * progress + random.float(-0.07, 0.07));
        const id = random.uuid();
        const pieces = evidenceFor(random, skill, id, at);
        const phrase = LEVEL_PHRASES.find(([min]) => score >= min)![1];
        assessments.push({
          id,
          student_id: studentId,
          skill_type: skill,
          score,
          confidence: round4(random.float(0.6, 0.97)),
          reasoning: `The student ${phrase} ${SKILL_TEXTS[skill].noun}, judged from ${pieces.length} pieces of evidence in class transcripts and game sessions.`,
          ...model(random, at),
          created_at: at,
          updated_at: at,
        });
        evidence.push(...pieces);
      }
    }
  }
  return { assessments, evidence };
}

/** Inserts the demo assessments in bulk (a few statements), inside the caller's transaction. */
export async function seedAssessments(em: EntityManager, studentIds: readonly string[]): Promise<{ assessments: number; evidence: number }> {
  const { assessments, evidence } = generateDemoAssessments(studentIds);
  const execute = (sql: string, params: unknown[]) => em.execute(sql, params);
  await insertAssessmentRows(execute, assessments);
  await upsertEvidenceRows(execute, evidence);
  return { assessments: assessments.length, evidence: evidence.length };
}
