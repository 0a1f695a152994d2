import type { TestDatabase } from './database';
import type { demoIds } from './quests';

type Ids = Awaited<ReturnType<typeof demoIds>>;

const running = (k: number) => `Build a tiny classifier together (cohort-${k})`;
const done = (k: number) => `Explain gradient descent to a peer (cohort-${k})`;
const open = (k: number) => `Peer review circle (cohort-${k})`;

/** What `breakQuestData` is expected to make the audit find, one entry per finding. */
export const EXPECTED_FINDINGS = [
  { category: 'APPROVED_WITHOUT_PARTICIPANT', questTitle: running(1), username: 'student26', repairAction: 'ADD_PARTICIPANT' },
  { category: 'PARTICIPANT_WITHOUT_APPROVAL', questTitle: running(2), username: 'student32', repairAction: 'APPROVE_APPLICATION' },
  { category: 'PARTICIPANT_WITHOUT_APPROVAL', questTitle: running(2), username: 'student42', repairAction: 'RECORD_APPROVED_APPLICATION' },
  { category: 'STATUS_MISMATCH', questTitle: running(3), username: 'teacher3', repairAction: 'SET_STATUS' },
  { category: 'STATUS_MISMATCH', questTitle: done(3), username: 'student3', repairAction: 'REJECT_APPLICATION' },
  { category: 'ASSIGNEE_MISMATCH', questTitle: running(4), username: 'student24', repairAction: 'ASSIGN' },
  { category: 'ASSIGNEE_MISMATCH', questTitle: done(4), username: 'teacher4', repairAction: 'ASSIGN' },
  { category: 'DUPLICATE_PARTICIPANT', questTitle: running(5), username: 'student30', repairAction: 'DELETE_PARTICIPANT' },
  // The bug of the system this replaces: an approval that left no participant, no assignee and an OPEN quest.
  { category: 'APPROVED_WITHOUT_PARTICIPANT', questTitle: open(5), username: 'student5', repairAction: 'ADD_PARTICIPANT' },
  { category: 'ASSIGNEE_MISMATCH', questTitle: open(5), username: 'student5', repairAction: 'ASSIGN' },
  { category: 'STATUS_MISMATCH', questTitle: open(5), username: 'teacher5', repairAction: 'SET_STATUS' },
];

/**
 * Breaks the demo quests with raw SQL, as an import from the old system would have:
 * each of the five categories at least once, on different quests. Drops the unique
 * constraint on participants to be able to store a duplicate.
 */
export async function breakQuestData(db: TestDatabase, { quest, user }: Ids): Promise<void> {
  await db.sql(`
    delete from quest_participants where quest_id = '${quest[running(1)]}' and user_id = '${user.student26}';

    insert into quest_participants (id, quest_id, user_id, joined_at) values
      (gen_random_uuid(), '${quest[running(2)]}', '${user.student32}', now() - interval '2 days'),
      (gen_random_uuid(), '${quest[running(2)]}', '${user.student42}', now() - interval '1 day');

    update quests set status = 'OPEN' where id = '${quest[running(3)]}';
    insert into quest_applications (id, quest_id, applicant_id, status, created_at, updated_at)
      values (gen_random_uuid(), '${quest[done(3)]}', '${user.student3}', 'PENDING', now(), now());

    update quests set assigned_to_id = null where id = '${quest[running(4)]}';
    update quests set assigned_to_id = '${user.teacher4}' where id = '${quest[done(4)]}';

    alter table quest_participants drop constraint quest_participants_quest_user_unique;
    insert into quest_participants (id, quest_id, user_id, joined_at)
      values (gen_random_uuid(), '${quest[running(5)]}', '${user.student30}', now());

    update quest_applications set status = 'APPROVED', decided_at = now(), decided_by_id = '${user.teacher5}'
      where quest_id = '${quest[open(5)]}' and applicant_id = '${user.student5}';
  `);
}
