import { and, or, rule } from 'graphql-shield';
import { hasScope, seesEveryone } from '../auth/viewer';
import type { Context } from '../context';
import type { LlmAuditTrail, WorkflowExecution } from '../entities';
import { Role } from '../entities/role';
import { forbidden } from '../errors';
import { overseer, reader } from './common';
import { hasAnyRole, isAuthenticated } from './rules';

/** Admins and auditors (with `read` on an API key), as for every oversight read. */
const oversees = (ctx: Context) => ctx.viewer !== null && seesEveryone(ctx.viewer) && hasScope(ctx.viewer, 'read');

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

/** Per-row: overseers, and the user who recorded the trail (it is returned to them). */
export const canSeeTrail = rule('canSeeTrail', { cache: 'no_cache' })(
  (trail: LlmAuditTrail, _a, ctx: Context) => oversees(ctx) || (ctx.viewer !== null && trail.recordedByUserId === ctx.viewer.user.id),
);

/** Per-row: overseers, and the user who started the workflow. */
export const canSeeWorkflowExecution = rule('canSeeWorkflowExecution', { cache: 'no_cache' })(
  (execution: WorkflowExecution, _a, ctx: Context) =>
    oversees(ctx) || (ctx.viewer !== null && execution.triggeredByUserId === ctx.viewer.user.id),
);
