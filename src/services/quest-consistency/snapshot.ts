import { LockMode, type FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Quest, QuestApplication, QuestParticipant, User } from '../../entities';
import type { QuestSnapshot } from './check';

/** Quests checked per round trip: three statements load a batch whatever its size. */
export const BATCH_SIZE = 500;

/** Ids of the quests in scope, in a stable order: all, or those the user created, is assigned, applied to or takes part in. */
export async function questIdsInScope(em: EntityManager, userId: string | null): Promise<string[]> {
  const where: FilterQuery<Quest> = userId
    ? {
        $or: [
          { creator: userId },
          { assignedTo: userId },
          { applications: { $some: { applicant: userId } } },
          { participants: { $some: { user: userId } } },
        ],
      }
    : {};
  const rows = await em.find(Quest, where, { fields: ['id'], orderBy: { id: 'asc' } });
  return rows.map((q) => q.id);
}

/** One batch of quests with all their rows; with `lock`, the quest rows stay locked until the transaction ends. */
export async function loadSnapshots(em: EntityManager, ids: string[], lock: boolean): Promise<QuestSnapshot[]> {
  const quests = await em.find(Quest, { id: { $in: ids } }, {
    orderBy: { id: 'asc' },
    ...(lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {}),
    refresh: true,
  });
  const applications = await em.find(QuestApplication, { quest: { $in: ids } }, { orderBy: { createdAt: 'asc', id: 'asc' }, refresh: true });
  const participants = await em.find(QuestParticipant, { quest: { $in: ids } }, { orderBy: { joinedAt: 'asc', id: 'asc' }, refresh: true });
  const applicationsOf = groupBy(applications, (a) => a.quest.id);
  const participantsOf = groupBy(participants, (p) => p.quest.id);
  return quests.map((q) => ({
    quest: {
      id: q.id,
      title: q.title,
      status: q.status,
      creatorId: q.creator.id,
      assignedToId: q.assignedTo?.id ?? null,
      createdAt: q.createdAt,
      updatedAt: q.updatedAt,
    },
    applications: (applicationsOf.get(q.id) ?? []).map((a) => ({ id: a.id, applicantId: a.applicant.id, status: a.status, createdAt: a.createdAt, decidedAt: a.decidedAt ?? null })),
    participants: (participantsOf.get(q.id) ?? []).map((p) => ({ id: p.id, userId: p.user.id, joinedAt: p.joinedAt })),
  }));
}

function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) groups.set(key(row), [...(groups.get(key(row)) ?? []), row]);
  return groups;
}

/** Usernames for the findings' users, one statement. */
export async function usernames(em: EntityManager, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const users = await em.find(User, { id: { $in: [...new Set(ids)] } }, { fields: ['username'] });
  return new Map(users.map((u) => [u.id, u.username]));
}
