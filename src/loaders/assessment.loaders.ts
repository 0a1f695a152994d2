import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { Evidence, SkillAssessment } from '../entities';
import { uuidArray } from '../db/pg-array';
import { plainColumns, plainRows } from '../db/plain-rows';
import { assessmentVisibleSql } from '../permissions/assessment.scope';
import { loaderByColumn } from './by-column';
import { perViewer } from './per-viewer';
import { visibility } from './visibility';
import type { Batching } from './batching';

/**
 * Evidence of many assessments in one statement, oldest first, an empty list for none, as
 * plain rows (db/plain-rows.ts): evidence is never changed through GraphQL, and hydrating
 * it as managed entities cost about 20 µs a row, a sixth of a page request (bench/README.md).
 * A page of assessments may read it in its own statement and prime this loader instead.
 */
function evidenceByAssessmentId(em: EntityManager, batching: Batching): DataLoader<string, Evidence[]> {
  return new DataLoader(async (ids) => {
    const rows = await em.execute<Record<string, unknown>[]>(
      `select ${plainColumns(em, Evidence, 'e')} from evidence e where e.assessment_id = any (?::uuid[]) order by e.assessment_id, e.created_at, e.id`,
      [uuidArray(ids)],
    );
    const toEvidence = plainRows(em, Evidence);
    const byAssessment = new Map<string, Evidence[]>(ids.map((id) => [id, []]));
    for (const row of rows) byAssessment.get(row.assessment_id as string)?.push(toEvidence(row));
    return ids.map((id) => byAssessment.get(id)!);
  }, batching);
}

export function assessmentLoaders(em: EntityManager, batching: Batching) {
  return {
    assessmentById: loaderByColumn(em, SkillAssessment, 'id', (a) => a.id, batching),
    /** Whether an assessment (by id) passes the viewer's access predicate. */
    assessmentVisible: perViewer((viewer) => visibility(em, 'skill_assessments', 'a', assessmentVisibleSql(viewer, 'a'), batching)),
    evidenceByAssessmentId: evidenceByAssessmentId(em, batching),
  };
}
