import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { Evidence, SkillAssessment } from '../entities';
import type { EvidenceKind } from '../entities/skill';
import { assessmentVisibleSql } from '../permissions/assessment.scope';
import { loaderByColumn } from './by-column';
import { perViewer } from './per-viewer';
import { visibility } from './visibility';

interface EvidenceRow {
  id: string;
  assessment_id: string;
  kind: EvidenceKind;
  content: string;
  source_ref: string | null;
  relevance: string | null;
  /** text: MikroORM's pg connection leaves timestamps unparsed */
  created_at: string;
}

/**
 * Evidence of many assessments in one statement, oldest first, an empty list for none.
 * Evidence is never changed through GraphQL, so its rows skip the unit of work: hydrating
 * them as managed entities (identity map, change-tracking snapshots) cost about 20 µs a row,
 * a sixth of a page request (bench/README.md). They are plain objects, not instances of the
 * entity class, whose property setters would still wrap each row for change tracking.
 * `assessment` holds only the id (a managed reference would be an entity built per row).
 */
function evidenceByAssessmentId(em: EntityManager): DataLoader<string, Evidence[]> {
  return new DataLoader(async (ids) => {
    const query = em
      .getKnex()('evidence')
      .select('id', 'assessment_id', 'kind', 'content', 'source_ref', 'relevance', 'created_at')
      .whereIn('assessment_id', [...ids])
      .orderBy(['assessment_id', 'created_at', 'id']);
    const rows = await em.execute<EvidenceRow[]>(query);
    const platform = em.getPlatform();
    const byAssessment = new Map<string, Evidence[]>(ids.map((id) => [id, []]));
    for (const row of rows) {
      const evidence: Evidence = {
        id: row.id,
        assessment: { id: row.assessment_id } as SkillAssessment,
        kind: row.kind,
        content: row.content,
        sourceRef: row.source_ref,
        relevance: row.relevance === null ? null : Number(row.relevance),
        createdAt: platform.parseDate(row.created_at),
      };
      byAssessment.get(row.assessment_id)?.push(evidence);
    }
    return ids.map((id) => byAssessment.get(id)!);
  });
}

export function assessmentLoaders(em: EntityManager) {
  return {
    assessmentById: loaderByColumn(em, SkillAssessment, 'id', (a) => a.id),
    /** Whether an assessment (by id) passes the viewer's access predicate. */
    assessmentVisible: perViewer((viewer) => visibility(em, 'skill_assessments', 'a', assessmentVisibleSql(viewer, 'a'))),
    evidenceByAssessmentId: evidenceByAssessmentId(em),
  };
}
