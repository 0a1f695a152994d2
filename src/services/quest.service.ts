import { randomUUID } from 'node:crypto';
import { LockMode, type FilterQuery, type QueryResult } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../auth/viewer';
import { Quest, QuestApplication, QuestParticipant, User } from '../entities';
import { AuditAction } from '../entities/audit-action';
import { isClosed, LIVE_APPLICATION_STATUSES, QuestApplicationStatus, QuestStatus } from '../entities/quest-enums';
import { badInput, conflict, forbidden, notFound } from '../errors';
import { decidesFor, visibleQuests } from '../permissions/quest.scope';
import { appendAudit, type AuditSource } from './audit.service';
import { mapUniqueViolation } from './unique-violation';

export interface NewQuest {
  title: string;
  description?: string | null;
  maxParticipants?: number | null;
}

/** Omitted fields stay as they are; `maxParticipants: null` removes the limit. */
export interface QuestChanges extends Partial<NewQuest> {
  status?: QuestStatus | null;
}

const { PENDING, APPROVED } = QuestApplicationStatus;
const CLOSING: readonly QuestStatus[] = [QuestStatus.COMPLETED, QuestStatus.CANCELLED];

/**
 * Every change to a quest's applications or participants first locks the quest row
 * (SELECT … FOR UPDATE), so approvals, rejections, withdrawals and closing take turns
 * and each sees the others' committed result.
 */
const lockQuest = (tx: EntityManager, where: FilterQuery<Quest>) =>
  tx.findOne(Quest, where, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });

/** The application's quest, locked, then the application as it is under that lock. */
async function lockApplication(tx: EntityManager, id: string) {
  const quest = await lockQuest(tx, { applications: { $some: { id } } });
  if (!quest) throw notFound('Application');
  const application = await tx.findOneOrFail(QuestApplication, { id }, { refresh: true });
  return { quest, application };
}

const lower = (status: string) => status.toLowerCase().replace('_', ' ');

export class QuestService {
  async create(em: EntityManager, viewer: Viewer, input: NewQuest): Promise<Quest> {
    const quest = em.create(Quest, {
      title: input.title.trim(),
      description: input.description?.trim() ?? '',
      maxParticipants: input.maxParticipants ?? null,
      creator: em.getReference(User, viewer.user.id),
    });
    await em.flush();
    return quest;
  }

  /** Edits a quest; setting COMPLETED or CANCELLED closes it and rejects its pending applications, audited. */
  async update(em: EntityManager, viewer: Viewer, id: string, changes: QuestChanges, source: AuditSource): Promise<Quest> {
    if (changes.status != null && !CLOSING.includes(changes.status)) {
      throw badInput('status can only be set to COMPLETED or CANCELLED; approvals move a quest to IN_PROGRESS');
    }
    return em.transactional(async (tx) => {
      const quest = await lockQuest(tx, { $and: [{ id }, visibleQuests(viewer)] });
      if (!quest) throw notFound('Quest');
      if (!decidesFor(viewer, quest)) throw forbidden('Only the quest creator or an admin may change it');
      if (isClosed(quest.status)) throw conflict(`Quest is ${lower(quest.status)}; it can no longer be changed`);
      if (changes.status === QuestStatus.COMPLETED && quest.status !== QuestStatus.IN_PROGRESS) {
        throw conflict('Only a quest in progress can be completed');
      }
      if (changes.maxParticipants != null) {
        const participants = await tx.count(QuestParticipant, { quest });
        if (participants > changes.maxParticipants) {
          throw conflict(`Quest already has ${participants} participants; maxParticipants cannot be lower`);
        }
      }
      if (changes.title != null) quest.title = changes.title.trim();
      if (changes.description != null) quest.description = changes.description.trim();
      if (changes.maxParticipants !== undefined) quest.maxParticipants = changes.maxParticipants;
      if (changes.status == null) return quest;

      quest.status = changes.status;
      const pending = await tx.find(QuestApplication, { quest, status: PENDING });
      for (const application of pending) {
        Object.assign(application, {
          status: QuestApplicationStatus.REJECTED,
          decidedAt: new Date(),
          decidedBy: tx.getReference(User, viewer.user.id),
          decisionReason: `Quest ${lower(changes.status)}`,
        });
      }
      await tx.flush();
      await appendAudit(tx, source, {
        action: AuditAction.CLOSE_QUEST,
        resourceType: 'Quest',
        resourceId: quest.id,
        details: { status: quest.status, rejectedApplications: pending.map((a) => a.id) },
      });
      return quest;
    });
  }

  /** A student applies to a quest they can see that is still open and not full. */
  async apply(em: EntityManager, viewer: Viewer, questId: string, message: string | null | undefined): Promise<QuestApplication> {
    const write = () =>
      em.transactional(async (tx) => {
        // FOR SHARE: applications to one quest run side by side, but not beside an approval or closing.
        const quest = await tx.findOne(Quest, { $and: [{ id: questId }, visibleQuests(viewer)] }, {
          lockMode: LockMode.PESSIMISTIC_READ,
          refresh: true,
        });
        if (!quest) throw notFound('Quest');
        if (isClosed(quest.status)) throw conflict(`Quest is ${lower(quest.status)}; it takes no applications`);
        const live = await tx.findOne(QuestApplication, {
          quest,
          applicant: viewer.user.id,
          status: { $in: [...LIVE_APPLICATION_STATUSES] },
        });
        if (live) throw conflict(live.status === APPROVED ? 'You already take part in this quest' : 'You already applied to this quest');
        if (quest.maxParticipants != null && (await tx.count(QuestParticipant, { quest })) >= quest.maxParticipants) {
          throw conflict('Quest is full');
        }
        const application = tx.create(QuestApplication, {
          quest,
          applicant: tx.getReference(User, viewer.user.id),
          message: message?.trim() || null,
        });
        await tx.flush();
        return application;
      });
    // Two simultaneous applications by one student: the partial unique index lets one through.
    return mapUniqueViolation(write, { quest_applications_live_unique: 'You already applied to this quest' });
  }

  async withdraw(em: EntityManager, viewer: Viewer, id: string): Promise<QuestApplication> {
    return em.transactional(async (tx) => {
      const { application } = await lockApplication(tx, id);
      if (application.applicant.id !== viewer.user.id) throw forbidden('Only the applicant may withdraw an application');
      if (application.status !== PENDING) {
        throw conflict(`Application is ${lower(application.status)}; only a pending application can be withdrawn`);
      }
      Object.assign(application, {
        status: QuestApplicationStatus.WITHDRAWN,
        decidedAt: new Date(),
        decidedBy: tx.getReference(User, viewer.user.id),
      });
      return application;
    });
  }

  async reject(em: EntityManager, viewer: Viewer, id: string, reason: string | null | undefined, source: AuditSource) {
    return em.transactional(async (tx) => {
      const { quest, application } = await lockApplication(tx, id);
      if (!decidesFor(viewer, quest)) throw forbidden('Only the quest creator or an admin decides its applications');
      if (application.status !== PENDING) {
        throw conflict(`Application is ${lower(application.status)}; only a pending application can be rejected`);
      }
      Object.assign(application, {
        status: QuestApplicationStatus.REJECTED,
        decidedAt: new Date(),
        decidedBy: tx.getReference(User, viewer.user.id),
        decisionReason: reason?.trim() || null,
      });
      await tx.flush();
      await appendAudit(tx, source, {
        action: AuditAction.REJECT_APPLICATION,
        resourceType: 'QuestApplication',
        resourceId: application.id,
        details: { questId: quest.id, applicantId: application.applicant.id, reason: application.decisionReason },
      });
      return application;
    });
  }

  /**
   * One transaction under the quest's lock: the application becomes APPROVED, the
   * applicant a participant (an existing row is kept), the quest gets an assignee if it
   * has none and moves to IN_PROGRESS, and the audit entry is written. Any failure rolls
   * all of it back. Approving an approved application again changes nothing.
   */
  async approve(em: EntityManager, viewer: Viewer, id: string, source: AuditSource): Promise<QuestApplication> {
    return em.transactional(async (tx) => {
      const { quest, application } = await lockApplication(tx, id);
      if (!decidesFor(viewer, quest)) throw forbidden('Only the quest creator or an admin decides its applications');
      if (application.status !== PENDING && application.status !== APPROVED) {
        throw conflict(`Application is ${lower(application.status)}; it cannot be approved`);
      }
      const applicantId = application.applicant.id;
      const participants = await tx.find(QuestParticipant, { quest });
      const joined = participants.some((p) => p.user.id === applicantId);
      if (application.status === APPROVED && joined) return application;
      if (isClosed(quest.status)) throw conflict(`Quest is ${lower(quest.status)}; its applications can no longer be approved`);
      const members = new Set(participants.map((p) => p.user.id)).size;
      if (!joined && quest.maxParticipants != null && members >= quest.maxParticipants) {
        throw conflict(`Quest is full (${quest.maxParticipants} participants)`);
      }

      const now = new Date();
      if (application.status === PENDING) {
        Object.assign(application, { status: APPROVED, decidedAt: now, decidedBy: tx.getReference(User, viewer.user.id) });
      }
      // The lock already rules out a concurrent insert; ON CONFLICT DO NOTHING keeps an existing row regardless.
      const inserted = joined
        ? 0
        : (
            await tx
              .createQueryBuilder(QuestParticipant)
              .insert({ id: randomUUID(), quest: quest.id, user: applicantId, joinedAt: now })
              .onConflict()
              .ignore()
              .execute<QueryResult<QuestParticipant>>('run')
          ).affectedRows;
      quest.assignedTo ??= tx.getReference(User, applicantId);
      if (quest.status === QuestStatus.OPEN) quest.status = QuestStatus.IN_PROGRESS;
      await tx.flush();
      await appendAudit(tx, source, {
        action: AuditAction.APPROVE_APPLICATION,
        resourceType: 'QuestApplication',
        resourceId: application.id,
        details: {
          questId: quest.id,
          applicantId,
          participantCreated: inserted > 0,
          assignedToId: quest.assignedTo.id,
          questStatus: quest.status,
        },
      });
      return application;
    });
  }
}
