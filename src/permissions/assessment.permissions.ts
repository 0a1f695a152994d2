import { and } from 'graphql-shield';
import { admin, overseer, reader } from './common';
import type { TypeRules } from './merge-rules';
import { allow } from './rules';
import { assessmentWriter, canSeeAssessment, canSeeEvidence, seesReasoning } from './assessment.rules';

/** Skill assessments, their evidence, and the integrity and backup operations around them. */
export const assessmentPermissions: TypeRules = {
  Query: {
    assessments: reader,
    assessment: reader,
    latestAssessment: reader,
    skillDistribution: reader,
    studentSkillSummary: reader,
    integrityReport: overseer,
  },
  Mutation: {
    createAssessment: assessmentWriter,
    addEvidence: assessmentWriter,
    createBackup: admin,
  },
  SkillAssessmentConnection: allow,
  SkillAssessmentEdge: allow,
  SkillAssessment: {
    '*': canSeeAssessment,
    reasoning: and(canSeeAssessment, seesReasoning),
  },
  Evidence: canSeeEvidence,
  SkillCount: allow,
  SkillSummary: allow,
  StudentSkillSummary: allow,
  IntegrityReport: allow,
  IntegrityCheckResult: allow,
  IntegrityFinding: allow,
  Backup: allow,
};
