import type { TestDatabase } from './database';

/** Ids of the demo data by name: users by username, quests by title ("Peer review circle (cohort-1)"). */
export async function demoIds(db: TestDatabase) {
  const users = await db.sql('select id, username from users');
  const quests = await db.sql('select id, title from quests');
  return {
    user: Object.fromEntries(users.map((u) => [u.username as string, u.id as string])),
    quest: Object.fromEntries(quests.map((q) => [q.title as string, q.id as string])),
  };
}

/** Everything a quest operation could change, to prove a refused one changed nothing. */
export async function questState(db: TestDatabase) {
  const [quests, applications, participants, audit] = await Promise.all([
    db.sql('select * from quests order by id'),
    db.sql('select * from quest_applications order by id'),
    db.sql('select * from quest_participants order by id'),
    // Logins made while the test runs are audited too; count what quest operations write.
    db.sql(`select count(*)::int as entries from audit_logs where action in ('APPROVE_APPLICATION', 'REJECT_APPLICATION', 'CLOSE_QUEST', 'REPAIR')`),
  ]);
  return { quests, applications, participants, audit };
}

export const participantsOf = (db: TestDatabase, questId: string) =>
  db.sql(`select user_id from quest_participants where quest_id = '${questId}' order by joined_at, id`).then((rows) => rows.map((r) => r.user_id as string));
