import type { FilterQuery } from '@mikro-orm/core';
import { seesEveryone, type Viewer } from '../auth/viewer';
import type { Quest, QuestApplication } from '../entities';
import { OPEN_STATUSES } from '../entities/quest-enums';
import { Role } from '../entities/role';

/**
 * Quests a viewer may see (layer one): admins and auditors all; anyone signed in the
 * quests still open (to apply to them), plus those they created, are assigned, take
 * part in or applied to.
 */
export function visibleQuests(viewer: Viewer): FilterQuery<Quest> {
  if (seesEveryone(viewer)) return {};
  const me = viewer.user.id;
  return {
    $or: [
      { status: { $in: [...OPEN_STATUSES] } },
      { creator: me },
      { assignedTo: me },
      { participants: { $some: { user: me } } },
      { applications: { $some: { applicant: me } } },
    ],
  };
}

/** Applications a viewer may see: admins and auditors all, a creator those to their quests, an applicant their own. */
export function visibleApplications(viewer: Viewer): FilterQuery<QuestApplication> {
  if (seesEveryone(viewer)) return {};
  const me = viewer.user.id;
  return { $or: [{ applicant: me }, { quest: { creator: me } }] };
}

/** Who decides a quest's applications and edits it: its creator and admins. */
export const decidesFor = (viewer: Viewer, quest: Pick<Quest, 'creator'>) =>
  viewer.user.role === Role.ADMIN || quest.creator.id === viewer.user.id;
