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

/**
 * The one access predicate for quest applications (alias `qa`): admins and auditors all, an
 * applicant their own, a quest's creator those to it. The quest's applications are read
 * under it, and the application row rule asks it.
 */
export function applicationVisibleSql(viewer: Viewer, qa: string): SqlCondition {
  if (seesEveryone(viewer)) return everyRow;
  const me = viewer.user.id;
  return {
    sql: `(${qa}.applicant_id = ? or exists (select 1 from quests aq where aq.id = ${qa}.quest_id and aq.creator_id = ?))`,
    params: [me, me],
  };
}

/** The predicate as a MikroORM filter. */
export const visibleApplications = (viewer: Viewer): FilterQuery<QuestApplication> =>
  filterOf('quest_applications', 'qa', applicationVisibleSql(viewer, 'qa'));

/**
 * The one access predicate for quest participants (alias `qp`): admins and auditors all;
 * anyone their own participation; a quest's creator and its participants every participant
 * of it. The participant row rule asks it; `Quest.participants` shows all of a quest's or
 * none (canSeeParticipantsOf), which this predicate admits whenever that rule does.
 */
export function participantVisibleSql(viewer: Viewer, qp: string): SqlCondition {
  if (seesEveryone(viewer)) return everyRow;
  const me = viewer.user.id;
  return {
    sql: `(${qp}.user_id = ? or exists (select 1 from quests pq where pq.id = ${qp}.quest_id and pq.creator_id = ?)
            or exists (select 1 from quest_participants mp where mp.quest_id = ${qp}.quest_id and mp.user_id = ?))`,
    params: [me, me, me],
  };
}

/** Who decides a quest's applications and edits it: its creator and admins. */
export const decidesFor = (viewer: Viewer, quest: Pick<Quest, 'creator'>) =>
  viewer.user.role === Role.ADMIN || quest.creator.id === viewer.user.id;
