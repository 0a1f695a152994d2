import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApplyToQuestDocument,
  ApproveApplicationDocument,
  CreateQuestDocument,
  QuestByIdDocument,
  RejectApplicationDocument,
  UpdateQuestDocument,
  WithdrawApplicationDocument,
} from './generated/graphql';
import { codeOf, startTestApp, type GqlResult, type TestApp } from './support/app';
import { demoIds, participantsOf, questState } from './support/quests';

let app: TestApp;
let ids: Awaited<ReturnType<typeof demoIds>>;
const tokens: Record<string, string> = {};
const as = async (name: string) => ({ token: (tokens[name] ??= await app.login(`${name}@example.edu`)) });

beforeAll(async () => {
  app = await startTestApp();
  ids = await demoIds(app.db);
});
afterAll(() => app?.stop());

/** Runs a request that must be refused with `code` and proves it changed nothing. */
async function refused(code: string, request: () => Promise<GqlResult<unknown>>) {
  const before = await questState(app.db);
  const result = await request();
  expect(codeOf(result), JSON.stringify(result.errors)).toBe(code);
  expect(result.data).toBeNull();
  expect(await questState(app.db)).toEqual(before);
  return result;
}

const newQuest = async (teacher: string, maxParticipants: number | null = null) =>
  (await app.gql(CreateQuestDocument, { input: { title: `Quest ${Math.random()}`, maxParticipants } }, await as(teacher))).data!.createQuest.id;

const applyAs = async (student: string, questId: string) =>
  (await app.gql(ApplyToQuestDocument, { questId, message: 'me please' }, await as(student))).data!.applyToQuest.id;

describe('creating and editing quests', () => {
  it('teachers and admins create OPEN quests; students cannot', async () => {
    const created = await app.gql(CreateQuestDocument, { input: { title: '  Pair on SQL  ', description: 'joins', maxParticipants: 2 } }, await as('teacher2'));
    expect(created.errors).toBeUndefined();
    expect(created.data!.createQuest).toMatchObject({ title: 'Pair on SQL', status: 'OPEN', maxParticipants: 2, creator: { username: 'teacher2' } });
    expect((await app.gql(CreateQuestDocument, { input: { title: 'By the admin' } }, await as('admin'))).errors).toBeUndefined();
    await refused('FORBIDDEN', async () => app.gql(CreateQuestDocument, { input: { title: 'By a student' } }, await as('student1')));
  });

  it('refuses a blank title or an impossible participant limit with BAD_USER_INPUT', async () => {
    for (const input of [{ title: '   ' }, { title: 'x'.repeat(201) }, { title: 'ok', maxParticipants: 0 }, { title: 'ok', maxParticipants: 1001 }]) {
      await refused('BAD_USER_INPUT', async () => app.gql(CreateQuestDocument, { input }, await as('teacher1')));
    }
  });

  it('only the creator or an admin edits a quest', async () => {
    const questId = await newQuest('teacher1');
    await refused('FORBIDDEN', async () => app.gql(UpdateQuestDocument, { id: questId, input: { title: 'Mine now' } }, await as('teacher2')));
    const edited = await app.gql(UpdateQuestDocument, { id: questId, input: { title: 'Renamed', maxParticipants: 5 } }, await as('teacher1'));
    expect(edited.data!.updateQuest).toMatchObject({ title: 'Renamed', maxParticipants: 5, status: 'OPEN' });
    const byAdmin = await app.gql(UpdateQuestDocument, { id: questId, input: { maxParticipants: null } }, await as('admin'));
    expect(byAdmin.data!.updateQuest.maxParticipants).toBeNull();
  });

  it('refuses status changes that only approvals make, and a limit below the current participants', async () => {
    const questId = await newQuest('teacher1');
    await approve('teacher1', await applyAs('student1', questId));
    await approve('teacher1', await applyAs('student6', questId));
    await refused('BAD_USER_INPUT', async () => app.gql(UpdateQuestDocument, { id: questId, input: { status: 'OPEN' } }, await as('teacher1')));
    await refused('CONFLICT', async () => app.gql(UpdateQuestDocument, { id: questId, input: { maxParticipants: 1 } }, await as('teacher1')));
    const open = await newQuest('teacher1');
    await refused('CONFLICT', async () => app.gql(UpdateQuestDocument, { id: open, input: { status: 'COMPLETED' } }, await as('teacher1')));
  });

  it('closing a quest rejects its pending applications, audited, and then it cannot change', async () => {
    const questId = await newQuest('teacher1');
    const pending = await applyAs('student11', questId);
    const closed = await app.gql(UpdateQuestDocument, { id: questId, input: { status: 'CANCELLED' } }, await as('teacher1'));
    expect(closed.data!.updateQuest.status).toBe('CANCELLED');
    const [application] = await app.db.sql(`select status, decision_reason, decided_by_id from quest_applications where id = '${pending}'`);
    expect(application).toEqual({ status: 'REJECTED', decision_reason: 'Quest cancelled', decided_by_id: ids.user.teacher1 });
    const [entry] = await app.db.sql(`select actor_user_id, details from audit_logs where action = 'CLOSE_QUEST' and resource_id = '${questId}'`);
    expect(entry).toEqual({ actor_user_id: ids.user.teacher1, details: { status: 'CANCELLED', rejectedApplications: [pending] } });
    await refused('CONFLICT', async () => app.gql(UpdateQuestDocument, { id: questId, input: { title: 'Back again' } }, await as('teacher1')));
  });
});

async function approve(teacher: string, applicationId: string) {
  const result = await app.gql(ApproveApplicationDocument, { id: applicationId }, await as(teacher));
  expect(result.errors).toBeUndefined();
  return result.data!.approveApplication;
}

describe('applying', () => {
  it('a student applies to an open quest (again after withdrawing); applying twice is a CONFLICT that changes nothing', async () => {
    // student12 withdrew an application to this quest in the demo data.
    const questId = ids.quest['Peer review circle (cohort-2)'];
    const applied = await app.gql(ApplyToQuestDocument, { questId, message: 'I know pandas' }, await as('student12'));
    expect(applied.data!.applyToQuest).toMatchObject({ status: 'PENDING', message: 'I know pandas', applicant: { username: 'student12' } });
    const again = await refused('CONFLICT', async () => app.gql(ApplyToQuestDocument, { questId }, await as('student12')));
    expect(again.errors![0].message).toMatch(/already applied/);
  });

  it('two simultaneous applications by one student leave one', async () => {
    const questId = await newQuest('teacher3');
    const results = await Promise.all([1, 2, 3].map(async () => app.gql(ApplyToQuestDocument, { questId }, await as('student3'))));
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    expect(results.filter((r) => r.errors).map(codeOf)).toEqual(['CONFLICT', 'CONFLICT']);
    expect(await app.db.sql(`select count(*)::int as n from quest_applications where quest_id = '${questId}'`)).toEqual([{ n: 1 }]);
  });

  it('applying to a closed quest is a CONFLICT; to one the student cannot see, NOT_FOUND', async () => {
    // student1 was rejected from the cancelled quest, so it is visible to them.
    const cancelled = ids.quest['Study group for the midterm (cohort-1)'];
    const closed = await refused('CONFLICT', async () => app.gql(ApplyToQuestDocument, { questId: cancelled }, await as('student1')));
    expect(closed.errors![0].message).toMatch(/cancelled/);
    await refused('NOT_FOUND', async () => app.gql(ApplyToQuestDocument, { questId: ids.quest['Explain gradient descent to a peer (cohort-1)'] }, await as('student2')));
  });

  it('applying to a full quest is a CONFLICT', async () => {
    const questId = await newQuest('teacher1', 1);
    await approve('teacher1', await applyAs('student16', questId));
    const full = await refused('CONFLICT', async () => app.gql(ApplyToQuestDocument, { questId }, await as('student21')));
    expect(full.errors![0].message).toMatch(/full/);
  });

  it('only students apply, with a valid id and a message of at most 2000 characters', async () => {
    const questId = ids.quest['Peer review circle (cohort-3)'];
    await refused('FORBIDDEN', async () => app.gql(ApplyToQuestDocument, { questId }, await as('teacher3')));
    await refused('BAD_USER_INPUT', async () => app.gql(ApplyToQuestDocument, { questId, message: 'x'.repeat(2001) }, await as('student8')));
    await refused('BAD_USER_INPUT', async () => app.gql(ApplyToQuestDocument, { questId: 'not-an-id' }, await as('student8')));
  });
});

describe('withdrawing and rejecting', () => {
  it('only the applicant withdraws, and only a pending application', async () => {
    const applicationId = await applyAs('student26', await newQuest('teacher1'));
    await refused('FORBIDDEN', async () => app.gql(WithdrawApplicationDocument, { id: applicationId }, await as('student31')));
    const withdrawn = await app.gql(WithdrawApplicationDocument, { id: applicationId }, await as('student26'));
    expect(withdrawn.data!.withdrawApplication.status).toBe('WITHDRAWN');
    await refused('CONFLICT', async () => app.gql(WithdrawApplicationDocument, { id: applicationId }, await as('student26')));
  });

  it('the creator rejects with a reason, audited; a decided application cannot be rejected again', async () => {
    const applicationId = await applyAs('student31', await newQuest('teacher1'));
    await refused('FORBIDDEN', async () => app.gql(RejectApplicationDocument, { id: applicationId }, await as('teacher2')));
    const rejected = await app.gql(RejectApplicationDocument, { id: applicationId, reason: 'Full team' }, await as('teacher1'));
    expect(rejected.data!.rejectApplication).toMatchObject({ status: 'REJECTED', decisionReason: 'Full team', decidedBy: { username: 'teacher1' } });
    expect(await app.db.sql(`select actor_user_id from audit_logs where action = 'REJECT_APPLICATION' and resource_id = '${applicationId}'`)).toEqual([
      { actor_user_id: ids.user.teacher1 },
    ]);
    await refused('CONFLICT', async () => app.gql(RejectApplicationDocument, { id: applicationId }, await as('teacher1')));
    await refused('CONFLICT', async () => app.gql(ApproveApplicationDocument, { id: applicationId }, await as('teacher1')));
  });
});

describe('approving', () => {
  it('makes the applicant a participant, assigns the quest to the first and moves it to IN_PROGRESS', async () => {
    const questId = await newQuest('teacher1', 3);
    const first = await approve('teacher1', await applyAs('student36', questId));
    expect(first).toMatchObject({ status: 'APPROVED', quest: { status: 'IN_PROGRESS', assignedTo: { id: ids.user.student36 }, participantCount: 1 } });
    expect(first.decidedAt).not.toBeNull();
    const second = await approve('admin', await applyAs('student41', questId));
    expect(second.quest).toMatchObject({ assignedTo: { id: ids.user.student36 }, participantCount: 2 });
    expect(await participantsOf(app.db, questId)).toEqual([ids.user.student36, ids.user.student41]);
  });

  it("approving a withdrawn application is a CONFLICT; approving someone else's quest is FORBIDDEN; both change nothing", async () => {
    const questId = await newQuest('teacher1');
    const withdrawn = await applyAs('student46', questId);
    await app.gql(WithdrawApplicationDocument, { id: withdrawn }, await as('student46'));
    const conflict = await refused('CONFLICT', async () => app.gql(ApproveApplicationDocument, { id: withdrawn }, await as('teacher1')));
    expect(conflict.errors![0].message).toMatch(/withdrawn/);

    const pending = await applyAs('student1', questId);
    await refused('FORBIDDEN', async () => app.gql(ApproveApplicationDocument, { id: pending }, await as('teacher2')));
    await refused('FORBIDDEN', async () => app.gql(ApproveApplicationDocument, { id: pending }, await as('student1')));
    const quest = await app.gql(QuestByIdDocument, { id: questId }, await as('teacher1'));
    expect(quest.data!.quest).toMatchObject({ status: 'OPEN', assignedTo: null, participantCount: 0 });
  });

  it('approving on a closed quest is a CONFLICT; unknown and malformed ids are NOT_FOUND and BAD_USER_INPUT', async () => {
    const closedQuest = ids.quest['Build a tiny classifier together (cohort-4)'];
    const [pending] = await app.db.sql(`select id from quest_applications where quest_id = '${closedQuest}' and status = 'PENDING'`);
    await app.db.sql(`update quests set status = 'COMPLETED' where id = '${closedQuest}'`);
    await refused('CONFLICT', async () => app.gql(ApproveApplicationDocument, { id: pending.id as string }, await as('teacher4')));
    await refused('NOT_FOUND', async () => app.gql(ApproveApplicationDocument, { id: '00000000-0000-4000-8000-000000000000' }, await as('teacher4')));
    await refused('BAD_USER_INPUT', async () => app.gql(ApproveApplicationDocument, { id: 'nope' }, await as('teacher4')));
  });
});
