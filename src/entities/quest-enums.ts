import { registerEnumType } from 'type-graphql';

export enum QuestStatus {
  OPEN = 'OPEN',
  IN_PROGRESS = 'IN_PROGRESS',
  COMPLETED = 'COMPLETED',
  CANCELLED = 'CANCELLED',
}

export enum QuestApplicationStatus {
  PENDING = 'PENDING',
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
  WITHDRAWN = 'WITHDRAWN',
}

/** Quests that take applications and approvals; the other two are closed for good. */
export const OPEN_STATUSES: readonly QuestStatus[] = [QuestStatus.OPEN, QuestStatus.IN_PROGRESS];
export const isClosed = (status: QuestStatus) => !OPEN_STATUSES.includes(status);

/** An applicant has at most one live application per quest (quest_applications_live_unique). */
export const LIVE_APPLICATION_STATUSES: readonly QuestApplicationStatus[] = [
  QuestApplicationStatus.PENDING,
  QuestApplicationStatus.APPROVED,
];

registerEnumType(QuestStatus, {
  name: 'QuestStatus',
  description: 'OPEN until the first approval, then IN_PROGRESS; COMPLETED and CANCELLED are closed for good.',
});
registerEnumType(QuestApplicationStatus, {
  name: 'QuestApplicationStatus',
  description: 'PENDING until the creator (or an admin) approves or rejects it, or the applicant withdraws it.',
});
