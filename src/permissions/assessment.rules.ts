import { wrap } from '@mikro-orm/core';
import { and, rule } from 'graphql-shield';
import { seesEveryone } from '../auth/viewer';
import type { Context } from '../context';
import type { Evidence, SkillAssessment } from '../entities';
import { Role } from '../entities/role';
import { forbidden } from '../errors';
import { rowRule, rowVerdictsOf } from './row-rule';
import { isAuthenticated, scope } from './rules';
import { canSeeStudentOfCohort } from './scope';

/**
 * The per-row twin of visibleAssessments: the student themself, their teachers, admins and
 * auditors. Answered at once when the viewer alone decides; a teacher's answer waits for
 * the student's cohort.
 */
function canSeeStudentRows(ctx: Context, studentId: string): boolean | Promise<boolean> {
  const viewer = ctx.viewer;
  if (!viewer) return false;
  if (viewer.user.id === studentId || seesEveryone(viewer)) return true;
  if (viewer.user.role !== Role.TEACHER) return false;
  return ctx.loaders.studentProfileByUserId.load(studentId).then((profile) => canSeeStudentOfCohort(viewer, profile?.cohort));
}

export const canSeeAssessment = rowRule('canSeeAssessment', (assessment: SkillAssessment, ctx) => canSeeStudentRows(ctx, assessment.student.id));

const assessmentVerdicts = rowVerdictsOf(canSeeAssessment)!;

/** Evidence follows its assessment; the loader batches the lookup when the assessment is not in memory. */
export const canSeeEvidence = rowRule('canSeeEvidence', (evidence: Evidence, ctx) => {
  if (wrap(evidence.assessment).isInitialized()) return assessmentVerdicts.answer(evidence.assessment, ctx);
  return ctx.loaders.assessmentById.load(evidence.assessment.id).then((assessment) => assessment !== null && assessmentVerdicts.answer(assessment, ctx));
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
