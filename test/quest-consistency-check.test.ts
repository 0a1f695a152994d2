import { describe, expect, it } from 'vitest';
import { QuestApplicationStatus as A, QuestStatus as S } from '../src/entities/quest-enums';
import { QuestRepairAction as Action } from '../src/services/quest-consistency/categories';
import { checkQuest, type Repair, type QuestSnapshot } from '../src/services/quest-consistency/check';

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute));
let next = 0;
const id = () => `00000000-0000-4000-8000-${String(++next).padStart(12, '0')}`;

function quest(status: S, assignedToId: string | null = null): QuestSnapshot['quest'] {
  return { id: id(), title: 'q', status, creatorId: 'creator', assignedToId, createdAt: at(0), updatedAt: at(1) };
}
const application = (applicantId: string, status: A, minute = 2) => ({
  id: id(), applicantId, status, createdAt: at(minute), decidedAt: status === A.PENDING ? null : at(minute + 1),
});
const participant = (userId: string, minute = 3) => ({ id: id(), userId, joinedAt: at(minute) });

/** Carries out the planned repairs on the snapshot, as apply.ts does in SQL. */
function repaired(snapshot: QuestSnapshot, repairs: Repair[]): QuestSnapshot {
  const s = structuredClone(snapshot);
  for (const r of repairs) {
    switch (r.action) {
      case Action.DELETE_PARTICIPANT: s.participants = s.participants.filter((p) => p.id !== r.participantId); break;
      case Action.ADD_PARTICIPANT: s.participants.push({ id: id(), userId: r.userId, joinedAt: r.joinedAt }); break;
      case Action.APPROVE_APPLICATION: Object.assign(s.applications.find((a) => a.id === r.applicationId)!, { status: A.APPROVED, decidedAt: r.decidedAt }); break;
      case Action.RECORD_APPROVED_APPLICATION: s.applications.push({ id: id(), applicantId: r.userId, status: A.APPROVED, createdAt: at(99), decidedAt: r.decidedAt }); break;
      case Action.ASSIGN: s.quest.assignedToId = r.userId; break;
      case Action.UNASSIGN: s.quest.assignedToId = null; break;
      case Action.SET_STATUS: s.quest.status = r.to; break;
      case Action.REJECT_APPLICATION: Object.assign(s.applications.find((a) => a.id === r.applicationId)!, { status: A.REJECTED, decidedAt: at(99) }); break;
    }
  }
  return s;
}

describe('checkQuest', () => {
  it('finds nothing in a consistent quest', () => {
    const snapshot = { quest: quest(S.IN_PROGRESS, 'u1'), applications: [application('u1', A.APPROVED), application('u2', A.PENDING)], participants: [participant('u1')] };
    expect(checkQuest(snapshot)).toEqual([]);
  });

  it('reports the old approval bug under each root cause, with repairs that leave the quest consistent', () => {
    const snapshot = { quest: quest(S.OPEN), applications: [application('u1', A.APPROVED, 5)], participants: [] };
    const findings = checkQuest(snapshot);
    expect(findings.map((f) => [f.category, f.userId, f.repair.action])).toEqual([
      ['APPROVED_WITHOUT_PARTICIPANT', 'u1', Action.ADD_PARTICIPANT],
      ['ASSIGNEE_MISMATCH', 'u1', Action.ASSIGN],
      ['STATUS_MISMATCH', 'creator', Action.SET_STATUS],
    ]);
    expect(findings[0].occurredAt).toEqual(at(6));
    expect(checkQuest(repaired(snapshot, findings.map((f) => f.repair)))).toEqual([]);
  });

  it('an assignee whose approval lost its participant row is reported once, as the missing participant', () => {
    const snapshot = { quest: quest(S.IN_PROGRESS, 'u1'), applications: [application('u1', A.APPROVED)], participants: [] };
    expect(checkQuest(snapshot).map((f) => f.category)).toEqual(['APPROVED_WITHOUT_PARTICIPANT']);
  });

  it('a participant with a pending application on a closed quest has it approved, not rejected', () => {
    const pending = application('u2', A.PENDING);
    const snapshot = { quest: quest(S.COMPLETED, 'u2'), applications: [pending], participants: [participant('u2')] };
    expect(checkQuest(snapshot).map((f) => f.repair)).toEqual([{ action: Action.APPROVE_APPLICATION, applicationId: pending.id, decidedAt: at(3) }]);
  });

  it('keeps the earliest of duplicate participant rows and unassigns an assignee when nobody takes part', () => {
    const rows = [participant('u1', 9), participant('u1', 4)];
    const dup = checkQuest({ quest: quest(S.IN_PROGRESS, 'u1'), applications: [application('u1', A.APPROVED)], participants: rows });
    expect(dup.map((f) => f.repair)).toEqual([{ action: Action.DELETE_PARTICIPANT, participantId: rows[0].id }]);
    const nobody = checkQuest({ quest: quest(S.CANCELLED, 'u3'), applications: [], participants: [] });
    expect(nobody.map((f) => f.repair.action)).toEqual([Action.UNASSIGN]);
  });

  it('on 2,000 randomly drifted quests, applying the planned repairs always leaves nothing to find', () => {
    // A fixed-seed generator (mulberry32), so a failure reproduces.
    let seed = 20261121;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
    const users = ['u1', 'u2', 'u3', 'u4'];
    let drifted = 0;
    for (let i = 0; i < 2000; i++) {
      const applications = users.flatMap((u) => {
        const live = random() < 0.6 ? [application(u, pick([A.PENDING, A.APPROVED]), Math.floor(random() * 50))] : [];
        return [...live, ...(random() < 0.3 ? [application(u, pick([A.REJECTED, A.WITHDRAWN]))] : [])];
      });
      const participants = users.flatMap((u) => Array.from({ length: pick([0, 0, 1, 1, 2]) }, () => participant(u, Math.floor(random() * 50))));
      const snapshot = { quest: quest(pick(Object.values(S)), pick([null, ...users, 'creator'])), applications, participants };
      const findings = checkQuest(snapshot);
      if (findings.length > 0) drifted++;
      expect(checkQuest(repaired(snapshot, findings.map((f) => f.repair))), JSON.stringify(snapshot)).toEqual([]);
    }
    expect(drifted).toBeGreaterThan(1000);
  });
});
