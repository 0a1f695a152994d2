import { wrap } from '@mikro-orm/core';
import { and, rule } from 'graphql-shield';
import { seesEveryone } from '../auth/viewer';
import type { Context } from '../context';
import type { Evidence, SkillAssessment } from '../entities';
import { Role } from '../entities/role';
import { forbidden } from '../errors';
import { isAuthenticated, scope } from './rules';
import { canSeeStudentOfCohort } from './scope';

/** The per-row twin of visibleAssessments: the student themself, their teachers, admins and auditors. */
async function canSeeStudentRows(ctx: Context, studentId: string): Promise<boolean> {
  const viewer = ctx.viewer;
  if (!viewer) return false;
  if (viewer.user.id === studentId || seesEveryone(viewer)) return true;
  if (viewer.user.role !== Role.TEACHER) return false;
  const profile = await ctx.loaders.studentProfileByUserId.load(studentId);
  return canSeeStudentOfCohort(viewer, profile?.cohort);
}

/**
 * The verdict for one assessment row, decided once per request. Shield runs a type's rule
 * for every field of every row (a page of 50 with evidence is over a thousand calls); the
 * answer depends only on the viewer and the row's student, both fixed for the request.
 */
const verdicts = new WeakMap<Context, WeakMap<SkillAssessment, Promise<boolean>>>();

function canSeeAssessmentRow(ctx: Context, assessment: SkillAssessment): Promise<boolean> {
  let perRequest = verdicts.get(ctx);
  if (!perRequest) verdicts.set(ctx, (perRequest = new WeakMap()));
  let verdict = perRequest.get(assessment);
  if (!verdict) perRequest.set(assessment, (verdict = canSeeStudentRows(ctx, assessment.student.id)));
  return verdict;
}

export const canSeeAssessment = rule('canSeeAssessment', { cache: 'no_cache' })((assessment: SkillAssessment, _a, ctx: Context) =>
  canSeeAssessmentRow(ctx, assessment),
);

/** Evidence follows its assessment; the loader batches the lookup when the assessment is not in memory. */
export const canSeeEvidence = rule('canSeeEvidence', { cache: 'no_cache' })(async (evidence: Evidence, _a, ctx: Context) => {
  const assessment = wrap(evidence.assessment).isInitialized()
    ? evidence.assessment
    : await ctx.loaders.assessmentById.load(evidence.assessment.id);
  return assessment !== null && canSeeAssessmentRow(ctx, assessment);
});

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
