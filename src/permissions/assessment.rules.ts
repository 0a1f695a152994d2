import { and, rule } from 'graphql-shield';
import type { Context } from '../context';
import type { Evidence, SkillAssessment } from '../entities';
import { Role } from '../entities/role';
import { forbidden } from '../errors';
import { rowRule } from './row-rule';
import { isAuthenticated, scope } from './rules';

/**
 * Layer two for assessments and their evidence, derived from the one predicate
 * (assessmentVisibleSql): rows from a scoped query are known visible (ctx.visibleRows);
 * any other row is asked about by id, one statement per batch, none for an admin.
 */
export const canSeeAssessment = rowRule(
  'canSeeAssessment',
  (assessment: SkillAssessment, ctx) => ctx.viewer !== null && ctx.loaders.assessmentVisible(ctx.viewer)(assessment.id),
);

/** Evidence is visible with its assessment. */
export const canSeeEvidence = rowRule(
  'canSeeEvidence',
  (evidence: Evidence, ctx) => ctx.viewer !== null && ctx.loaders.assessmentVisible(ctx.viewer)(evidence.assessment.id),
);

/** The model's reasoning is for staff: it may discuss the student in ways not meant for them. */
export const seesReasoning = rule('seesReasoning', { cache: 'contextual' })(
  (_p, _a, ctx: Context) => (ctx.viewer !== null && ctx.viewer.user.role !== Role.STUDENT) || forbidden('Students do not see the reasoning'),
);

/**
 * Writing assessments: an ADMIN account, through a session (which has every scope) or an
 * API key with `assessments:write` (how the AI/ML services post). Keys of other roles are
 * refused even with that scope: any account may mint a key with any scope.
 */
const actsForAdmin = rule('actsForAdmin', { cache: 'contextual' })(
  (_p, _a, ctx: Context) => ctx.viewer?.user.role === Role.ADMIN || forbidden('Writing assessments needs an ADMIN account or its API key'),
);

export const assessmentWriter = and(isAuthenticated, actsForAdmin, scope('assessments:write'));
