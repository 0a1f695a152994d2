import type { EntityManager } from '@mikro-orm/postgresql';
import { Evidence, SkillAssessment } from '../entities';
import { loaderByColumn } from './by-column';
import { loaderGroupedByColumn } from './grouped-by-column';

export function assessmentLoaders(em: EntityManager) {
  return {
    assessmentById: loaderByColumn(em, SkillAssessment, 'id', (a) => a.id),
    evidenceByAssessmentId: loaderGroupedByColumn(em, Evidence, 'assessment', (e) => e.assessment.id, {
      createdAt: 'asc',
      id: 'asc',
    }),
  };
}
