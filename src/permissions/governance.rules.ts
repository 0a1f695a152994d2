import { and, or, rule } from 'graphql-shield';
import { hasScope } from '../auth/viewer';
import type { Context } from '../context';
import type { LlmAuditTrail, WorkflowExecution } from '../entities';
import { Role } from '../entities/role';
import { forbidden } from '../errors';
import { overseer, reader } from './common';
import { hasAnyRole, isAuthenticated } from './rules';
import { rowRule } from './row-rule';
import { holdsFor } from './sql-condition';
import { trailVisibleSql, workflowVisibleSql } from './governance.scope';

/** An API key writing AI records needs one of the two write scopes; a session has both. */
const writesAiRecords = rule('writesAiRecords', { cache: 'contextual' })(
  (_p, _a, ctx: Context) =>
    (ctx.viewer !== null && (hasScope(ctx.viewer, 'assessments:write') || hasScope(ctx.viewer, 'analysis:write'))) ||
    forbidden('This API key needs the assessments:write or analysis:write scope'),
);

/** Records LLM calls and workflow runs: admins and teachers (the owners of integration keys); never students or auditors. */
export const aiWriter = and(isAuthenticated, hasAnyRole(Role.ADMIN, Role.TEACHER), writesAiRecords);

/** Admin-only reads (job runs, user activity); an admin's API key needs `read`. */
export const adminReader = and(reader, hasAnyRole(Role.ADMIN));

/** Projects are shared names: overseers read them, and writers need their ids. */
export const projectReader = or(overseer, aiWriter);

/** Derived from trailVisibleSql, answered from the row's recorder. */
export const canSeeTrail = rowRule(
  'canSeeTrail',
  (trail: LlmAuditTrail, ctx) => ctx.viewer !== null && holdsFor(trailVisibleSql(ctx.viewer, 't'), { recorded_by_user_id: trail.recordedByUserId }),
);

/** Derived from workflowVisibleSql, answered from the row's starter. */
export const canSeeWorkflowExecution = rowRule(
  'canSeeWorkflowExecution',
  (execution: WorkflowExecution, ctx) =>
    ctx.viewer !== null && holdsFor(workflowVisibleSql(ctx.viewer, 'w'), { triggered_by_user_id: execution.triggeredByUserId }),
);
