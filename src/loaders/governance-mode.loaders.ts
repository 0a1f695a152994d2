import type { EntityManager } from '@mikro-orm/postgresql';
import { GovernanceMode } from '../entities';
import type { Batching } from './batching';
import { plainLoaderByColumn } from './by-column';

/**
 * Governance modes by id, as plain rows (only read here): one statement per batch for the
 * `mode` of every workflow execution, LLM trail and distribution row in a response. Who
 * may see them depends on the viewer alone (modeVisibleSql), so no visibility loader.
 */
export function createGovernanceModeLoaders(em: EntityManager, batching: Batching) {
  return {
    governanceModeById: plainLoaderByColumn(em, GovernanceMode, 'governance_modes', 'id', batching),
  };
}
