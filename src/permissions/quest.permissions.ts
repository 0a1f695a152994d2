import { and, or } from 'graphql-shield';
import { Role } from '../entities/role';
import { admin, overseer, reader } from './common';
import type { TypeRules } from './merge-rules';
import { canSeeApplication, canSeeParticipant, canSeeParticipantsOf, canSeeQuest, reachedFromQuestRow } from './quest.rules';
import { allow, hasAnyRole, isAuthenticated, isSession } from './rules';
import { canSeeUser } from './user.rules';

/** Quest writes need a user session: no API key scope covers them. Row checks happen in the service, under the quest's lock. */
const sessionUser = and(isAuthenticated, isSession);

/** Quests, applications, participants and their consistency audit. */
export const questPermissions: TypeRules = {
  Query: {
    quests: reader,
    quest: reader,
    questConsistencyReport: overseer,
  },
  Mutation: {
    createQuest: and(sessionUser, hasAnyRole(Role.TEACHER, Role.ADMIN)),
    updateQuest: sessionUser,
    applyToQuest: and(sessionUser, hasAnyRole(Role.STUDENT)),
    withdrawApplication: sessionUser,
    rejectApplication: sessionUser,
    approveApplication: sessionUser,
    repairQuestConsistency: admin,
  },
  QuestConnection: allow,
  QuestEdge: allow,
  Quest: {
    '*': canSeeQuest,
    participants: and(canSeeQuest, canSeeParticipantsOf),
  },
  QuestApplication: canSeeApplication,
  QuestParticipant: canSeeParticipant,
  User: {
    id: or(canSeeUser, reachedFromQuestRow),
    username: or(canSeeUser, reachedFromQuestRow),
  },
  QuestConsistencyReport: overseer,
  QuestConsistencyFinding: overseer,
  QuestFindingCount: overseer,
  QuestRepairResult: admin,
};
