import { registerEnumType } from 'type-graphql';

export enum SkillType {
  EMPATHY = 'EMPATHY',
  PROBLEM_SOLVING = 'PROBLEM_SOLVING',
  RESILIENCE = 'RESILIENCE',
  SELF_REGULATION = 'SELF_REGULATION',
  ADAPTABILITY = 'ADAPTABILITY',
  COLLABORATION = 'COLLABORATION',
  COMMUNICATION = 'COMMUNICATION',
}

/** Every student is expected to be assessed on these; `verify assessments` reports the gaps. */
export const PRIMARY_SKILLS: readonly SkillType[] = [
  SkillType.EMPATHY,
  SkillType.PROBLEM_SOLVING,
  SkillType.RESILIENCE,
  SkillType.SELF_REGULATION,
];

export enum AssessmentSource {
  AI_MODEL = 'AI_MODEL',
  ML_INFERENCE = 'ML_INFERENCE',
}

export enum EvidenceKind {
  LINGUISTIC = 'LINGUISTIC',
  BEHAVIORAL = 'BEHAVIORAL',
  OTHER = 'OTHER',
}

/** Latest score against the one before it. */
export enum SkillTrend {
  IMPROVING = 'IMPROVING',
  DECLINING = 'DECLINING',
  STABLE = 'STABLE',
  FIRST = 'FIRST',
}

registerEnumType(SkillType, { name: 'SkillType', description: 'The social skills Assay scores.' });
registerEnumType(AssessmentSource, { name: 'AssessmentSource', description: 'What produced an assessment.' });
registerEnumType(EvidenceKind, { name: 'EvidenceKind' });
registerEnumType(SkillTrend, {
  name: 'SkillTrend',
  description: 'Latest score against the one before: a change of 0.05 or more either way is a trend; FIRST when there is no earlier one.',
});

/** Scores, confidences and relevances are stored as numeric(5,4): 0 to 1 with at most 4 decimals. */
export const SCORE_DECIMALS = 4;
