import type { Platform } from '@mikro-orm/core';
import type { SkillAssessment, User } from '../entities';
import { preciseDateOf } from '../entities/precise-timestamp';
import type { AssessmentSource, SkillType } from '../entities/skill';

/** The columns of an assessment read as a plain row (alias `a`). */
export const ASSESSMENT_COLUMNS_READ =
  'a.id, a.student_id, a.skill_type, a.score, a.confidence, a.reasoning, a.source, a.model_name, a.model_version, a.feature_importance, a.created_at, a.updated_at';

/**
 * An assessment row as a plain object with the entity's shape, outside the unit of work:
 * for read-only lists, where hydrating managed entities (identity map, change-tracking
 * snapshots, property wrappers) cost more than the rest of the request. `student` holds
 * only the id; the field resolver loads the user. numeric arrives as text, timestamps as
 * PostgreSQL's text (MikroORM's pg connection leaves them unparsed).
 */
export function assessmentOfRow(row: Record<string, unknown>, platform: Platform): SkillAssessment {
  const assessment = {
    id: row.id as string,
    student: { id: row.student_id as string } as User,
    skillType: row.skill_type as SkillType,
    score: Number(row.score),
    confidence: Number(row.confidence),
    reasoning: row.reasoning as string,
    source: row.source as AssessmentSource,
    modelName: row.model_name as string,
    modelVersion: row.model_version as string,
    featureImportance: (row.feature_importance as Record<string, number> | null) ?? null,
    createdAt: preciseDateOf(row.created_at as string, platform),
    updatedAt: platform.parseDate(row.updated_at as string),
  };
  return assessment;
}
