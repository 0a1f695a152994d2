import type { EntityManager } from '@mikro-orm/postgresql';
import { BehaviorAnalysis, ExamAttempt } from '../entities';
import { loaderByColumn, plainLoaderByColumn } from './by-column';

/** Behaviour analyses by attempt, and attempts by id (plain rows: they are only read) for flags and the rules that need an analysis's exam. */
export function createMonitoringLoaders(em: EntityManager) {
  return {
    attemptById: plainLoaderByColumn(em, ExamAttempt, 'exam_attempts', 'id'),
    analysisByAttemptId: loaderByColumn(em, BehaviorAnalysis, 'attempt', (a) => a.attempt.id),
  };
}
