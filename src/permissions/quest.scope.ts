import type { FilterQuery } from '@mikro-orm/core';
import { seesEveryone, type Viewer } from '../auth/viewer';
import type { Quest, QuestApplication } from '../entities';
import { OPEN_STATUSES } from '../entities/quest-enums';
import { Role } from '../entities/role';
import { everyRow, filterOf, type SqlCondition } from './sql-condition';

/**
 * The one access predicate for quests (alias `q`): admins and auditors all; anyone signed
 * in the quests still open (to apply to them), plus those they created, are assigned,
 * take part in or applied to. Lists and lookups filter with it; the quest row rule asks it.
 */
export function questVisibleSql(viewer: Viewer, q: string): SqlCondition {
  if (seesEveryone(viewer)) return everyRow;
  const me = viewer.user.id;
  return {
    sql: `(${q}.status in (${OPEN_STATUSES.map(() => '?').join(', ')}) or ${q}.creator_id = ? or ${q}.assigned_to_id = ?
            or exists (select 1 from quest_participants qp where qp.quest_id = ${q}.id and qp.user_id = ?)
            or exists (select 1 from quest_applications qa where qa.quest_id = ${q}.id and qa.applicant_id = ?))`,
    params: [...OPEN_STATUSES, me, me, me, me],
  };
}

/** The predicate as a MikroORM filter. */
export const visibleQuests = (viewer: Viewer): FilterQuery<Quest> => filterOf('quests', 'q', questVisibleSql(viewer, 'q'));

/** Applications a viewer may see: admins and auditors all, a creator those to their quests, an applicant their own. */
export function visibleApplications(viewer: Viewer): FilterQuery<QuestApplication> {
  if (seesEveryone(viewer)) return {};
  const me = viewer.user.id;
  return { $or: [{ applicant: me }, { quest: { creator: me } }] };
}

/** Who decides a quest's applications and edits it: its creator and admins. */
export const decidesFor = (viewer: Viewer, quest: Pick<Quest, 'creator'>) =>
  viewer.user.role === Role.ADMIN || quest.creator.id === viewer.user.id;
