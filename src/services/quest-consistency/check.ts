import { isClosed, QuestApplicationStatus, QuestStatus } from '../../entities/quest-enums';
import { QuestFindingCategory as Category, QuestRepairAction as Action } from './categories';

/** One quest with every application and participant row it has, as stored. */
export interface QuestSnapshot {
  quest: { id: string; title: string; status: QuestStatus; creatorId: string; assignedToId: string | null; createdAt: Date; updatedAt: Date };
  applications: { id: string; applicantId: string; status: QuestApplicationStatus; createdAt: Date; decidedAt: Date | null }[];
  participants: { id: string; userId: string; joinedAt: Date }[];
}

/** Exactly what a repair changes; `apply.ts` carries it out. */
export type Repair =
  | { action: Action.DELETE_PARTICIPANT; participantId: string }
  | { action: Action.ADD_PARTICIPANT; questId: string; userId: string; joinedAt: Date }
  | { action: Action.APPROVE_APPLICATION; applicationId: string; decidedAt: Date }
  | { action: Action.RECORD_APPROVED_APPLICATION; questId: string; userId: string; decidedAt: Date }
  | { action: Action.ASSIGN; questId: string; userId: string }
  | { action: Action.UNASSIGN; questId: string }
  | { action: Action.SET_STATUS; questId: string; from: QuestStatus; to: QuestStatus }
  | { action: Action.REJECT_APPLICATION; applicationId: string };

export interface Finding {
  category: Category;
  questId: string;
  questTitle: string;
  questCreatedAt: Date;
  /** The user the drift concerns: applicant, participant, assignee, or the creator for a quest's status. */
  userId: string;
  /** When the drifted row was recorded (decision, join, last change of the quest). */
  occurredAt: Date;
  detail: string;
  repair: Repair;
  /** The repair in words, with the row it touches. */
  repairDescription: string;
}

const iso = (d: Date) => d.toISOString();
const byTime = <T extends { id: string }>(at: (row: T) => Date) => (a: T, b: T) =>
  at(a).getTime() - at(b).getTime() || a.id.localeCompare(b.id);

type Found = (category: Category, userId: string, occurredAt: Date, detail: string, repair: Repair, repairDescription: string) => void;
type Participant = QuestSnapshot['participants'][number];

/** Duplicate participant rows; the earliest row of each user is kept and returned. */
function duplicates({ participants }: QuestSnapshot, found: Found): Map<string, Participant> {
  const kept = new Map<string, Participant>();
  for (const row of [...participants].sort(byTime((p) => p.joinedAt))) {
    const first = kept.get(row.userId);
    if (!first) {
      kept.set(row.userId, row);
      continue;
    }
    found(Category.DUPLICATE_PARTICIPANT, row.userId, row.joinedAt,
      `participant row ${row.id} (joined ${iso(row.joinedAt)}) repeats row ${first.id} (joined ${iso(first.joinedAt)})`,
      { action: Action.DELETE_PARTICIPANT, participantId: row.id },
      `delete participant row ${row.id}, keeping ${first.id}`);
  }
  return kept;
}

/** Approvals without a participant row; returns the members (user → joined) once they are added. */
function approvalsWithoutParticipant({ quest, applications }: QuestSnapshot, kept: Map<string, Participant>, found: Found) {
  const members = new Map<string, Date>([...kept].map(([userId, p]) => [userId, p.joinedAt]));
  for (const application of applications) {
    if (application.status !== QuestApplicationStatus.APPROVED || kept.has(application.applicantId)) continue;
    const decidedAt = application.decidedAt ?? application.createdAt;
    members.set(application.applicantId, decidedAt);
    found(Category.APPROVED_WITHOUT_PARTICIPANT, application.applicantId, decidedAt,
      `application ${application.id} was approved ${iso(decidedAt)} but the applicant is not a participant`,
      { action: Action.ADD_PARTICIPANT, questId: quest.id, userId: application.applicantId, joinedAt: decidedAt },
      `add the applicant as participant, joined ${iso(decidedAt)}`);
  }
  return members;
}

/** Participants without an approved application; returns the pending applications the repairs approve. */
function participantsWithoutApproval({ quest, applications }: QuestSnapshot, kept: Map<string, Participant>, found: Found) {
  const approvedUsers = new Set(applications.filter((a) => a.status === QuestApplicationStatus.APPROVED).map((a) => a.applicantId));
  const approvedByRepair = new Set<string>();
  for (const row of kept.values()) {
    if (approvedUsers.has(row.userId)) continue;
    const pending = applications.find((a) => a.applicantId === row.userId && a.status === QuestApplicationStatus.PENDING);
    const detail = `participant since ${iso(row.joinedAt)} without an approved application`;
    if (pending) {
      approvedByRepair.add(pending.id);
      found(Category.PARTICIPANT_WITHOUT_APPROVAL, row.userId, row.joinedAt, `${detail} (application ${pending.id} is pending)`,
        { action: Action.APPROVE_APPLICATION, applicationId: pending.id, decidedAt: row.joinedAt },
        `approve pending application ${pending.id}, decided ${iso(row.joinedAt)}`);
    } else {
      found(Category.PARTICIPANT_WITHOUT_APPROVAL, row.userId, row.joinedAt, detail,
        { action: Action.RECORD_APPROVED_APPLICATION, questId: quest.id, userId: row.userId, decidedAt: row.joinedAt },
        `record an approved application, decided ${iso(row.joinedAt)}`);
    }
  }
  return approvedByRepair;
}

/** No assignee although members exist, or an assignee who is not a member. */
function assignee({ quest }: QuestSnapshot, members: Map<string, Date>, found: Found): void {
  const [earliest] = [...members].sort(([a, at], [b, bt]) => at.getTime() - bt.getTime() || a.localeCompare(b));
  if (quest.assignedToId === null && earliest) {
    found(Category.ASSIGNEE_MISMATCH, earliest[0], earliest[1],
      `quest has ${members.size} participant(s) since ${iso(earliest[1])} but no assignee`,
      { action: Action.ASSIGN, questId: quest.id, userId: earliest[0] },
      `assign the quest to ${earliest[0]}, its earliest participant`);
  } else if (quest.assignedToId !== null && !members.has(quest.assignedToId)) {
    found(Category.ASSIGNEE_MISMATCH, quest.assignedToId, quest.updatedAt,
      `assignee is not a participant (quest last changed ${iso(quest.updatedAt)})`,
      earliest ? { action: Action.ASSIGN, questId: quest.id, userId: earliest[0] } : { action: Action.UNASSIGN, questId: quest.id },
      earliest ? `assign the quest to ${earliest[0]}, its earliest participant` : 'remove the assignee (the quest has no participants)');
  }
}

/** OPEN with members, IN_PROGRESS without, or pending applications left on a closed quest. */
function status({ quest, applications }: QuestSnapshot, members: Map<string, Date>, approvedByRepair: Set<string>, found: Found): void {
  const shouldBe =
    quest.status === QuestStatus.OPEN && members.size > 0 ? QuestStatus.IN_PROGRESS
    : quest.status === QuestStatus.IN_PROGRESS && members.size === 0 ? QuestStatus.OPEN
    : null;
  if (shouldBe) {
    found(Category.STATUS_MISMATCH, quest.creatorId, quest.updatedAt,
      `quest is ${quest.status} with ${members.size} participant(s) (last changed ${iso(quest.updatedAt)})`,
      { action: Action.SET_STATUS, questId: quest.id, from: quest.status, to: shouldBe },
      `set status ${quest.status} -> ${shouldBe}`);
  }
  if (!isClosed(quest.status)) return;
  for (const application of applications) {
    if (application.status !== QuestApplicationStatus.PENDING || approvedByRepair.has(application.id)) continue;
    found(Category.STATUS_MISMATCH, application.applicantId, application.createdAt,
      `quest is ${quest.status} but application ${application.id} (applied ${iso(application.createdAt)}) is still pending`,
      { action: Action.REJECT_APPLICATION, applicationId: application.id },
      `reject application ${application.id} (quest is closed)`);
  }
}

/**
 * Every finding of one quest with the repair that fixes it. Each drift is reported once,
 * under its root cause: the assignee and status are judged against the quest's members
 * as they will be after the participant repairs (participant rows plus approved
 * applicants), so applying every repair leaves a quest that passes this check.
 */
export function checkQuest(snapshot: QuestSnapshot): Finding[] {
  const { quest } = snapshot;
  const findings: Finding[] = [];
  const found: Found = (category, userId, occurredAt, detail, repair, repairDescription) =>
    findings.push({ category, questId: quest.id, questTitle: quest.title, questCreatedAt: quest.createdAt, userId, occurredAt, detail, repair, repairDescription });

  const kept = duplicates(snapshot, found);
  const members = approvalsWithoutParticipant(snapshot, kept, found);
  const approvedByRepair = participantsWithoutApproval(snapshot, kept, found);
  assignee(snapshot, members, found);
  status(snapshot, members, approvedByRepair, found);
  return findings;
}
