import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QuestConsistencyReportDocument, RepairQuestConsistencyDocument } from './generated/graphql';
import { codeOf, startTestApp, type TestApp } from './support/app';
import { breakQuestData, EXPECTED_FINDINGS } from './support/broken-quests';
import { demoIds, participantsOf, questState } from './support/quests';

let app: TestApp;
let ids: Awaited<ReturnType<typeof demoIds>>;
const tokens: Record<string, string> = {};
const as = async (name: string) => ({ token: (tokens[name] ??= await app.login(`${name}@example.edu`)) });

const report = async (userId?: string) => {
  const result = await app.gql(QuestConsistencyReportDocument, { userId }, await as('admin'));
  expect(result.errors).toBeUndefined();
  return result.data!.questConsistencyReport;
};
const countsOf = (counts: { category: string; count: number }[]) => Object.fromEntries(counts.map((c) => [c.category, c.count]));
const NONE = { DUPLICATE_PARTICIPANT: 0, APPROVED_WITHOUT_PARTICIPANT: 0, PARTICIPANT_WITHOUT_APPROVAL: 0, ASSIGNEE_MISMATCH: 0, STATUS_MISMATCH: 0 };

beforeAll(async () => {
  app = await startTestApp();
  ids = await demoIds(app.db);
});
afterAll(() => app?.stop());

describe('questConsistencyReport and repairQuestConsistency', () => {
  it('find nothing in the demo data', async () => {
    const clean = await report();
    expect(clean.questsChecked).toBe(20);
    expect(countsOf(clean.counts)).toEqual(NONE);
    expect(clean.findings).toEqual([]);
  });

  it('are for admins (the report also for auditors); others get FORBIDDEN', async () => {
    for (const name of ['teacher1', 'student1']) {
      expect(codeOf(await app.gql(QuestConsistencyReportDocument, {}, await as(name))), name).toBe('FORBIDDEN');
      expect(codeOf(await app.gql(RepairQuestConsistencyDocument, { dryRun: true }, await as(name))), name).toBe('FORBIDDEN');
    }
    expect((await app.gql(QuestConsistencyReportDocument, {}, await as('auditor'))).errors).toBeUndefined();
    expect(codeOf(await app.gql(RepairQuestConsistencyDocument, { dryRun: true }, await as('auditor')))).toBe('FORBIDDEN');
  });

  it('detect each of the five categories in data broken with SQL, naming user, quest and dates', async () => {
    await breakQuestData(app.db, ids);
    const broken = await report();
    expect(countsOf(broken.counts)).toEqual({
      DUPLICATE_PARTICIPANT: 1,
      APPROVED_WITHOUT_PARTICIPANT: 2,
      PARTICIPANT_WITHOUT_APPROVAL: 2,
      ASSIGNEE_MISMATCH: 3,
      STATUS_MISMATCH: 3,
    });
    const found = broken.findings.map(({ category, questTitle, username, repairAction }) => ({ category, questTitle, username, repairAction }));
    expect(found).toHaveLength(EXPECTED_FINDINGS.length);
    expect(found).toEqual(expect.arrayContaining(EXPECTED_FINDINGS));
    for (const finding of broken.findings) {
      expect(finding.userId).toBe(ids.user[finding.username!]);
      expect(finding.questId).toBe(ids.quest[finding.questTitle]);
      expect(Date.parse(finding.questCreatedAt)).not.toBeNaN();
      expect(Date.parse(finding.occurredAt)).not.toBeNaN();
      expect(finding.repairDescription.length).toBeGreaterThan(10);
    }
  });

  it('narrow to the quests one user is involved in', async () => {
    const narrowed = await report(ids.user.student42);
    expect(narrowed.userId).toBe(ids.user.student42);
    expect(narrowed.questsChecked).toBe(2);
    expect(narrowed.findings.map((f) => f.username).sort()).toEqual(['student32', 'student42']);
    const bad = await app.gql(QuestConsistencyReportDocument, { userId: 'student42' }, await as('admin'));
    expect(codeOf(bad)).toBe('BAD_USER_INPUT');
    const unknown = await app.gql(QuestConsistencyReportDocument, { userId: '00000000-0000-4000-8000-000000000000' }, await as('admin'));
    expect(codeOf(unknown)).toBe('NOT_FOUND');
  });

  it('a dry run lists exactly the repairs and writes nothing', async () => {
    const planned = await report();
    const before = await questState(app.db);
    const dry = await app.gql(RepairQuestConsistencyDocument, { dryRun: true }, await as('admin'));
    expect(dry.errors).toBeUndefined();
    expect(dry.data!.repairQuestConsistency.dryRun).toBe(true);
    expect(dry.data!.repairQuestConsistency.after).toBeNull();
    const strip = ({ category, questId, userId, repairAction, repairDescription }: (typeof planned.findings)[number]) => ({
      category, questId, userId, repairAction, repairDescription,
    });
    expect(dry.data!.repairQuestConsistency.repairs.map(strip)).toEqual(planned.findings.map(strip));
    expect(await questState(app.db)).toEqual(before);
  });

  it('a repair that fails part way writes nothing at all', async () => {
    const before = await questState(app.db);
    await app.db.sql(`
      create function fail_status_repair() returns trigger language plpgsql as $$
      begin raise exception 'refused'; end $$;
      create trigger fail_status_repair before insert on audit_logs
      for each row when (new.action = 'REPAIR' and new.details->>'category' = 'STATUS_MISMATCH') execute function fail_status_repair();`);
    try {
      const failed = await app.gql(RepairQuestConsistencyDocument, { dryRun: false }, await as('admin'));
      expect(codeOf(failed)).toBe('INTERNAL_SERVER_ERROR');
    } finally {
      await app.db.sql('drop trigger fail_status_repair on audit_logs; drop function fail_status_repair()');
    }
    expect(await questState(app.db)).toEqual(before);
    expect((await report()).findings).toHaveLength(EXPECTED_FINDINGS.length);
  });

  it('a repair fixes everything in one transaction, audits every repair as the admin, and the audit after it is clean', async () => {
    const result = await app.gql(RepairQuestConsistencyDocument, { dryRun: false }, await as('admin'));
    expect(result.errors).toBeUndefined();
    const outcome = result.data!.repairQuestConsistency;
    expect(outcome.repairs).toHaveLength(EXPECTED_FINDINGS.length);
    expect(outcome.after!.findings).toEqual([]);
    expect(countsOf(outcome.after!.counts)).toEqual(NONE);

    const entries = await app.db.sql(`select actor_kind, actor_user_id, resource_id, details from audit_logs where action = 'REPAIR' order by seq`);
    expect(entries).toHaveLength(EXPECTED_FINDINGS.length);
    for (const entry of entries) expect(entry).toMatchObject({ actor_kind: 'USER', actor_user_id: ids.user.admin, details: { audit: 'quests' } });
    expect(entries.map((e) => (e.details as { category: string }).category).sort()).toEqual(EXPECTED_FINDINGS.map((f) => f.category).sort());

    const { quest, user } = ids;
    expect(await participantsOf(app.db, quest['Build a tiny classifier together (cohort-1)'])).toContain(user.student26);
    expect(await participantsOf(app.db, quest['Build a tiny classifier together (cohort-5)'])).toHaveLength(2);
    expect(await participantsOf(app.db, quest['Peer review circle (cohort-5)'])).toEqual([user.student5]);
    const statusOf = async (title: string) => (await app.db.sql(`select status, assigned_to_id from quests where id = '${quest[title]}'`))[0];
    expect(await statusOf('Peer review circle (cohort-5)')).toEqual({ status: 'IN_PROGRESS', assigned_to_id: user.student5 });
    expect(await statusOf('Build a tiny classifier together (cohort-3)')).toMatchObject({ status: 'IN_PROGRESS' });
    expect(await statusOf('Build a tiny classifier together (cohort-4)')).toMatchObject({ assigned_to_id: user.student24 });
    expect(await statusOf('Explain gradient descent to a peer (cohort-4)')).toMatchObject({ assigned_to_id: user.student44 });
    const approvals = await app.db.sql(
      `select applicant_id from quest_applications where quest_id = '${quest['Build a tiny classifier together (cohort-2)']}' and status = 'APPROVED'`,
    );
    expect(approvals.map((a) => a.applicant_id)).toEqual(expect.arrayContaining([user.student32, user.student42]));
  });

  it('a second audit is clean and a second repair changes nothing', async () => {
    expect((await report()).findings).toEqual([]);
    const again = await app.gql(RepairQuestConsistencyDocument, { dryRun: false }, await as('admin'));
    expect(again.data!.repairQuestConsistency.repairs).toEqual([]);
  });
});
