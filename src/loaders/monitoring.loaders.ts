import type { EntityManager } from '@mikro-orm/postgresql';
import { BehaviorAnalysis, ExamAttempt } from '../entities';
import { loaderByColumn } from './by-column';

/** Behaviour analyses by attempt, and attempts by id for the rules that need an analysis's exam. */
export function createMonitoringLoaders(em: EntityManager) {
  return {
    attemptById: loaderByColumn(em, ExamAttempt, 'id', (a) => a.id),
    analysisByAttemptId: loaderByColumn(em, BehaviorAnalysis, 'attempt', (a) => a.attempt.id),
  };
}
