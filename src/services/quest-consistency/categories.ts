import { registerEnumType } from 'type-graphql';

/** The five kinds of drift the audit looks for, in the order their repairs are planned. */
export enum QuestFindingCategory {
  DUPLICATE_PARTICIPANT = 'DUPLICATE_PARTICIPANT',
  APPROVED_WITHOUT_PARTICIPANT = 'APPROVED_WITHOUT_PARTICIPANT',
  PARTICIPANT_WITHOUT_APPROVAL = 'PARTICIPANT_WITHOUT_APPROVAL',
  ASSIGNEE_MISMATCH = 'ASSIGNEE_MISMATCH',
  STATUS_MISMATCH = 'STATUS_MISMATCH',
}

export const CATEGORY_LABELS: Record<QuestFindingCategory, string> = {
  DUPLICATE_PARTICIPANT: 'duplicate participants',
  APPROVED_WITHOUT_PARTICIPANT: 'approved applications without a participant',
  PARTICIPANT_WITHOUT_APPROVAL: 'participants without an approved application',
  ASSIGNEE_MISMATCH: 'participants but no assignee, or an assignee who is not a participant',
  STATUS_MISMATCH: 'quest status inconsistent with its participants or applications',
};

export enum QuestRepairAction {
  DELETE_PARTICIPANT = 'DELETE_PARTICIPANT',
  ADD_PARTICIPANT = 'ADD_PARTICIPANT',
  APPROVE_APPLICATION = 'APPROVE_APPLICATION',
  RECORD_APPROVED_APPLICATION = 'RECORD_APPROVED_APPLICATION',
  ASSIGN = 'ASSIGN',
  UNASSIGN = 'UNASSIGN',
  SET_STATUS = 'SET_STATUS',
  REJECT_APPLICATION = 'REJECT_APPLICATION',
}

registerEnumType(QuestFindingCategory, { name: 'QuestFindingCategory', description: 'A kind of drift found by the quest consistency audit.' });
registerEnumType(QuestRepairAction, { name: 'QuestRepairAction', description: 'The one change a repair makes.' });
