import type { EntityManager } from '@mikro-orm/postgresql';
import { BehaviorAnalysis, ExamAttempt } from '../entities';
import { loaderByColumn, plainLoaderByColumn } from './by-column';
import type { Batching } from './batching';

/** Behaviour analyses by attempt, and attempts by id (plain rows: they are only read) for flags and the rules that need an analysis's exam. */
export function createMonitoringLoaders(em: EntityManager, batching: Batching) {
  return {
    attemptById: plainLoaderByColumn(em, ExamAttempt, 'exam_attempts', 'id', batching),
    analysisByAttemptId: loaderByColumn(em, BehaviorAnalysis, 'attempt', (a) => a.attempt.id, batching),
  };
}
