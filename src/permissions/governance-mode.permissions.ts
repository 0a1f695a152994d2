import type { TypeRules } from './merge-rules';
import { admin, overseer } from './common';
import { canSeeGovernanceMode, modeReader } from './governance-mode.rules';
import { allow } from './rules';

/** Governance modes: admins manage them; overseers, admins and teachers read them; the distribution is for overseers. */
export const governanceModePermissions: TypeRules = {
  Query: {
    governanceModes: modeReader,
    governanceModeDistribution: overseer,
  },
  Mutation: {
    createGovernanceMode: admin,
    retireGovernanceMode: admin,
  },
  GovernanceMode: canSeeGovernanceMode,
  GovernanceModeUsage: allow,
};
