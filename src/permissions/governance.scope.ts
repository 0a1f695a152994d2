import type { FilterQuery } from '@mikro-orm/core';
import { hasScope, seesEveryone, type Viewer } from '../auth/viewer';
import type { LlmAuditTrail, WorkflowExecution } from '../entities';
import { columnEquals, everyRow, filterOf, type SqlCondition } from './sql-condition';

/** Admins and auditors (with `read` on an API key), as for every oversight read. */
export const oversees = (viewer: Viewer) => seesEveryone(viewer) && hasScope(viewer, 'read');

/**
 * The one access predicate for LLM audit trails (alias `t`): overseers all, anyone else
 * those they recorded (each is returned to whoever recorded it). The list filters with it
 * and the row rule answers it from the row's recorder.
 */
export const trailVisibleSql = (viewer: Viewer, t: string): SqlCondition =>
  oversees(viewer) ? everyRow : columnEquals(t, 'recorded_by_user_id', viewer.user.id);

export const visibleTrails = (viewer: Viewer): FilterQuery<LlmAuditTrail> => filterOf('llm_audit_trails', 't', trailVisibleSql(viewer, 't'));

/** The one access predicate for workflow executions (alias `w`): overseers all, anyone else those they started. */
export const workflowVisibleSql = (viewer: Viewer, w: string): SqlCondition =>
  oversees(viewer) ? everyRow : columnEquals(w, 'triggered_by_user_id', viewer.user.id);

export const visibleWorkflows = (viewer: Viewer): FilterQuery<WorkflowExecution> =>
  filterOf('workflow_executions', 'w', workflowVisibleSql(viewer, 'w'));
