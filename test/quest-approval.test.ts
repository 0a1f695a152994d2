import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplyToQuestDocument, ApproveApplicationDocument, CreateQuestDocument } from './generated/graphql';
import { codeOf, startTestApp, type TestApp } from './support/app';
import { demoIds, participantsOf, questState } from './support/quests';

let app: TestApp;
let ids: Awaited<ReturnType<typeof demoIds>>;
let teacher: string;
const students: Record<string, string> = {};

/** Teacher 1's cohort: student1, student6, …, student46. */
const COHORT_1 = Array.from({ length: 10 }, (_, i) => `student${i * 5 + 1}`);

beforeAll(async () => {
  app = await startTestApp();
  ids = await demoIds(app.db);
  teacher = await app.login('teacher1@example.edu');
  for (const name of COHORT_1) students[name] = await app.login(`${name}@example.edu`);
});
afterAll(() => app?.stop());

/** A fresh quest of teacher 1 with a pending application from each named student. */
async function questWithApplicants(maxParticipants: number | null, applicants: string[]) {
  const created = await app.gql(CreateQuestDocument, { input: { title: `Race ${Math.random()}`, maxParticipants } }, { token: teacher });
  const questId = created.data!.createQuest.id;
  const applications: string[] = [];
  for (const name of applicants) {
    const applied = await app.gql(ApplyToQuestDocument, { questId }, { token: students[name] });
    expect(applied.errors).toBeUndefined();
    applications.push(applied.data!.applyToQuest.id);
  }
  return { questId, applications };
}

const approvalsOf = async (applicationIds: string[]) =>
  app.db.sql(
    `select count(*)::int as n from audit_logs where action = 'APPROVE_APPLICATION' and resource_id in (${applicationIds.map((id) => `'${id}'`).join(',')})`,
  ).then(([row]) => row.n);

describe('approveApplication under concurrency', () => {
  it('approving one application in five simultaneous requests leaves one participant and one audit entry', async () => {
    const { questId, applications } = await questWithApplicants(null, ['student1']);
    const results = await Promise.all(Array.from({ length: 5 }, () => app.gql(ApproveApplicationDocument, { id: applications[0] }, { token: teacher })));
    for (const result of results) {
      expect(result.errors).toBeUndefined();
      expect(result.data!.approveApplication.status).toBe('APPROVED');
    }
    expect(await participantsOf(app.db, questId)).toEqual([ids.user.student1]);
    expect(await approvalsOf(applications)).toBe(1);
    const [quest] = await app.db.sql(`select status, assigned_to_id from quests where id = '${questId}'`);
    expect(quest).toEqual({ status: 'IN_PROGRESS', assigned_to_id: ids.user.student1 });
  });

  it('two approvals racing for the last place: one wins, the other gets CONFLICT and changes nothing', async () => {
    const { questId, applications } = await questWithApplicants(1, ['student6', 'student11']);
    const results = await Promise.all(applications.map((id) => app.gql(ApproveApplicationDocument, { id }, { token: teacher })));
    const won = results.filter((r) => !r.errors);
    const lost = results.filter((r) => r.errors);
    expect(won).toHaveLength(1);
    expect(lost.map(codeOf)).toEqual(['CONFLICT']);
    expect(lost[0].errors![0].message).toMatch(/full/);

    const participants = await participantsOf(app.db, questId);
    expect(participants).toHaveLength(1);
    const winner = won[0].data!.approveApplication.id;
    const rows = await app.db.sql(`select id, status from quest_applications where quest_id = '${questId}' order by id`);
    expect(rows.find((r) => r.id === winner)!.status).toBe('APPROVED');
    expect(rows.find((r) => r.id !== winner)!.status).toBe('PENDING');
    const [quest] = await app.db.sql(`select assigned_to_id from quests where id = '${questId}'`);
    expect(quest.assigned_to_id).toBe(participants[0]);
    expect(await approvalsOf(applications)).toBe(1);
  });

  it('eight simultaneous approvals for three places approve exactly three', async () => {
    const applicants = COHORT_1.slice(2);
    const { questId, applications } = await questWithApplicants(3, applicants);
    const results = await Promise.all(applications.map((id) => app.gql(ApproveApplicationDocument, { id }, { token: teacher })));
    expect(results.filter((r) => !r.errors)).toHaveLength(3);
    expect(results.filter((r) => r.errors).map(codeOf)).toEqual(Array(applications.length - 3).fill('CONFLICT'));
    expect(await participantsOf(app.db, questId)).toHaveLength(3);
    const [approved] = await app.db.sql(`select count(*)::int as n from quest_applications where quest_id = '${questId}' and status = 'APPROVED'`);
    expect(approved.n).toBe(3);
  });
});

describe('approveApplication is all or nothing', () => {
  it('a failure at the last step (the audit entry) rolls back the approval, the participant and the assignment', async () => {
    const { questId, applications } = await questWithApplicants(2, ['student16']);
    await app.db.sql(`
      create function fail_approval_audit() returns trigger language plpgsql as $$
      begin raise exception 'audit storage unavailable'; end $$;
      create trigger fail_approval_audit before insert on audit_logs
      for each row when (new.action = 'APPROVE_APPLICATION') execute function fail_approval_audit();`);
    const before = await questState(app.db);
    try {
      const result = await app.gql(ApproveApplicationDocument, { id: applications[0] }, { token: teacher });
      expect(codeOf(result)).toBe('INTERNAL_SERVER_ERROR');
      expect(JSON.stringify(result.errors)).not.toContain('audit storage');
      expect(await questState(app.db)).toEqual(before);
      const [quest] = await app.db.sql(`select status, assigned_to_id from quests where id = '${questId}'`);
      expect(quest).toEqual({ status: 'OPEN', assigned_to_id: null });
    } finally {
      await app.db.sql('drop trigger fail_approval_audit on audit_logs; drop function fail_approval_audit()');
    }
    const retried = await app.gql(ApproveApplicationDocument, { id: applications[0] }, { token: teacher });
    expect(retried.errors).toBeUndefined();
    expect(await participantsOf(app.db, questId)).toEqual([ids.user.student16]);
  });

  it('records the approval in the audit log in the same transaction, as the teacher who approved', async () => {
    const { questId, applications } = await questWithApplicants(null, ['student21']);
    await app.gql(ApproveApplicationDocument, { id: applications[0] }, { token: teacher });
    const [entry] = await app.db.sql(`select * from audit_logs where action = 'APPROVE_APPLICATION' and resource_id = '${applications[0]}'`);
    expect(entry).toMatchObject({ actor_kind: 'USER', actor_user_id: ids.user.teacher1, resource_type: 'QuestApplication' });
    expect(entry.details).toMatchObject({ questId, applicantId: ids.user.student21, participantCreated: true, questStatus: 'IN_PROGRESS' });
  });

  it('re-approving an approved application whose participant row went missing restores exactly that row', async () => {
    const { questId, applications } = await questWithApplicants(null, ['student26']);
    await app.gql(ApproveApplicationDocument, { id: applications[0] }, { token: teacher });
    await app.db.sql(`delete from quest_participants where quest_id = '${questId}'`);
    const again = await app.gql(ApproveApplicationDocument, { id: applications[0] }, { token: teacher });
    expect(again.errors).toBeUndefined();
    expect(await participantsOf(app.db, questId)).toEqual([ids.user.student26]);
    expect(await approvalsOf(applications)).toBe(2);
  });
});
