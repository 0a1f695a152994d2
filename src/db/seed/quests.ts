import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Quest, QuestApplication, QuestParticipant, type User } from '../../entities';
import { QuestApplicationStatus as A, QuestStatus as S } from '../../entities/quest-enums';
import { DEMO_TEACHERS, type DemoAccounts } from './accounts';

const HOUR = 3_600_000;

type QuestRow = Omit<Quest, 'creator' | 'assignedTo' | 'applications' | 'participants'> & { creator: string; assignedTo: string | null };
type ApplicationRow = Omit<QuestApplication, 'quest' | 'applicant' | 'decidedBy'> & { quest: string; applicant: string; decidedBy: string | null };
type ParticipantRow = Omit<QuestParticipant, 'quest' | 'user'> & { quest: string; user: string };

/**
 * Four quests per teacher, one in each status, with applications from the students of
 * the teacher's cohort in every application status. Consistent by construction (the
 * audit finds nothing in it) and the same on every run; written with one insert per table.
 */
export async function seedQuests(em: EntityManager, { teachers, students }: DemoAccounts): Promise<void> {
  const quests: QuestRow[] = [];
  const applications: ApplicationRow[] = [];
  const participants: ParticipantRow[] = [];
  const start = Date.now() - 30 * 24 * HOUR;

  teachers.forEach((teacher, k) => {
    // Teacher K's cohort: students K, K+5, K+10, …
    const cohort = students.filter((_, n) => n % DEMO_TEACHERS === k);
    const quest = (j: number, title: string, status: S, maxParticipants: number | null) => {
      const createdAt = new Date(start + (k * 4 + j) * 6 * HOUR);
      const row: QuestRow = {
        id: randomUUID(),
        title: `${title} (cohort-${k + 1})`,
        description: `${title}: a demo quest of ${teacher.username}.`,
        creator: teacher.id,
        status,
        assignedTo: null,
        maxParticipants,
        createdAt,
        updatedAt: createdAt,
      };
      quests.push(row);
      return row;
    };
    const apply = (q: QuestRow, student: User, status: A, decidedBy: User | null, decisionReason: string | null = null) => {
      const earlier = applications.filter((a) => a.quest === q.id).length;
      const createdAt = new Date(q.createdAt.getTime() + (earlier + 1) * 60_000);
      const decidedAt = status === A.PENDING ? null : new Date(createdAt.getTime() + HOUR);
      applications.push({
        id: randomUUID(),
        quest: q.id,
        applicant: student.id,
        status,
        message: `I would like to join, ${teacher.username}.`,
        decidedBy: decidedBy?.id ?? null,
        decidedAt,
        decisionReason,
        createdAt,
        updatedAt: decidedAt ?? createdAt,
      });
      if (status !== A.APPROVED) return;
      participants.push({ id: randomUUID(), quest: q.id, user: student.id, joinedAt: decidedAt! });
      q.assignedTo ??= student.id;
      q.updatedAt = decidedAt!;
    };

    const open = quest(0, 'Peer review circle', S.OPEN, 3);
    apply(open, cohort[0], A.PENDING, null);
    apply(open, cohort[1], A.PENDING, null);
    apply(open, cohort[2], A.WITHDRAWN, cohort[2]);
    apply(open, cohort[3], A.REJECTED, teacher, 'Please finish the prerequisite module first.');

    const running = quest(1, 'Build a tiny classifier together', S.IN_PROGRESS, 4);
    apply(running, cohort[4], A.APPROVED, teacher);
    apply(running, cohort[5], A.APPROVED, teacher);
    apply(running, cohort[6], A.PENDING, null);
    apply(running, cohort[7], A.REJECTED, teacher, 'The group is already balanced.');

    const done = quest(2, 'Explain gradient descent to a peer', S.COMPLETED, null);
    apply(done, cohort[8], A.APPROVED, teacher);
    apply(done, cohort[9], A.APPROVED, teacher);

    const cancelled = quest(3, 'Study group for the midterm', S.CANCELLED, 5);
    apply(cancelled, cohort[0], A.REJECTED, teacher, 'Quest cancelled');
    cancelled.updatedAt = new Date(cancelled.createdAt.getTime() + 2 * HOUR);
  });

  await em.insertMany(Quest, quests);
  await em.insertMany(QuestApplication, applications);
  await em.insertMany(QuestParticipant, participants);
}
