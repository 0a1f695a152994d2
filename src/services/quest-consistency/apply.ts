import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Quest, QuestApplication, QuestParticipant } from '../../entities';
import { QuestApplicationStatus } from '../../entities/quest-enums';
import { QuestRepairAction as Action } from './categories';
import type { Repair } from './check';

const REPAIR_REASON = 'Recorded by the quest consistency repair';

/**
 * Carries out one repair inside the caller's transaction, which holds the quest's lock.
 * Updates name the state they expect, so a row that changed since the check fails the
 * whole run instead of being overwritten.
 */
export async function applyRepair(tx: EntityManager, repair: Repair): Promise<void> {
  const now = new Date();
  let changed: number;
  switch (repair.action) {
    case Action.DELETE_PARTICIPANT:
      changed = await tx.nativeDelete(QuestParticipant, { id: repair.participantId });
      break;
    case Action.ADD_PARTICIPANT:
      await tx.insert(QuestParticipant, { id: randomUUID(), quest: repair.questId, user: repair.userId, joinedAt: repair.joinedAt });
      changed = 1;
      break;
    case Action.APPROVE_APPLICATION:
      changed = await tx.nativeUpdate(
        QuestApplication,
        { id: repair.applicationId, status: QuestApplicationStatus.PENDING },
        { status: QuestApplicationStatus.APPROVED, decidedAt: repair.decidedAt, decidedBy: null, decisionReason: REPAIR_REASON, updatedAt: now },
      );
      break;
    case Action.RECORD_APPROVED_APPLICATION:
      await tx.insert(QuestApplication, {
        id: randomUUID(),
        quest: repair.questId,
        applicant: repair.userId,
        status: QuestApplicationStatus.APPROVED,
        decidedAt: repair.decidedAt,
        decisionReason: REPAIR_REASON,
        createdAt: now,
        updatedAt: now,
      });
      changed = 1;
      break;
    case Action.ASSIGN:
    case Action.UNASSIGN:
      changed = await tx.nativeUpdate(
        Quest,
        { id: repair.questId },
        { assignedTo: repair.action === Action.ASSIGN ? repair.userId : null, updatedAt: now },
      );
      break;
    case Action.SET_STATUS:
      changed = await tx.nativeUpdate(Quest, { id: repair.questId, status: repair.from }, { status: repair.to, updatedAt: now });
      break;
    case Action.REJECT_APPLICATION:
      changed = await tx.nativeUpdate(
        QuestApplication,
        { id: repair.applicationId, status: QuestApplicationStatus.PENDING },
        { status: QuestApplicationStatus.REJECTED, decidedAt: now, decidedBy: null, decisionReason: `${REPAIR_REASON}: the quest is closed`, updatedAt: now },
      );
      break;
  }
  if (changed !== 1) throw new Error(`repair ${repair.action} found its row changed since the check; nothing was written`);
}
