import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApplyToQuestDocument,
  ApproveApplicationDocument,
  CreateQuestDocument,
  QuestsDocument,
  QuestsWithPeopleDocument,
  RejectApplicationDocument,
  UpdateQuestDocument,
  WithdrawApplicationDocument,
} from './generated/graphql';
import { startTestApp, type TestApp } from './support/app';
import { demoIds } from './support/quests';

let app: TestApp;
let ids: Awaited<ReturnType<typeof demoIds>>;
const tokens: Record<string, string> = {};

const gql = async <T, V>(name: string, doc: Parameters<TestApp['gql']>[0], vars: V) => {
  const result = await app.gql(doc, vars, { token: (tokens[name] ??= await app.login(`${name}@example.edu`)) });
  expect(result.errors).toBeUndefined();
  return result as unknown as { data: T; statements: number };
};

/**
 * Quests of teacher 1 that all look alike: two participants (one the assignee), a
 * withdrawn, a rejected and a pending application. Statement counts depend on which
 * kinds of rows a page holds, so small and large pages are made of the same kinds.
 */
async function alikeQuests(count: number, close: boolean) {
  for (let i = 0; i < count; i++) {
    const quest = await gql<{ createQuest: { id: string } }, unknown>('teacher1', CreateQuestDocument, { input: { title: `Alike ${close} ${i}` } });
    const questId = quest.data.createQuest.id;
    const apply = async (student: string) =>
      (await gql<{ applyToQuest: { id: string } }, unknown>(student, ApplyToQuestDocument, { questId })).data.applyToQuest.id;
    await gql('teacher1', ApproveApplicationDocument, { id: await apply('student6') });
    await gql('teacher1', ApproveApplicationDocument, { id: await apply('student21') });
    await gql('student11', WithdrawApplicationDocument, { id: await apply('student11') });
    await gql('teacher1', RejectApplicationDocument, { id: await apply('student16'), reason: 'no' });
    await apply('student1');
    if (close) await gql('teacher1', UpdateQuestDocument, { id: questId, input: { status: 'CANCELLED' } });
  }
}

beforeAll(async () => {
  // One connection runs the statements in a fixed order, so batches split the same way on
  // every run. With more, two batches of one loader may merge when their inputs arrive
  // together: one statement fewer, whatever the page size.
  app = await startTestApp({ DB_POOL_MAX: '1' });
  ids = await demoIds(app.db);
  await alikeQuests(6, false);
  await alikeQuests(6, true);
});
afterAll(() => app?.stop());

describe('a page of quests with applications, applicants, participants, creator and assignee', () => {
  it('runs as many SQL statements for 2 quests as for 20 (admin)', async () => {
    const small = await gql<never, unknown>('admin', QuestsWithPeopleDocument, { first: 2 });
    const large = await gql<{ quests: { edges: { node: { applications: unknown[]; participants: unknown[] } }[] } }, unknown>(
      'admin', QuestsWithPeopleDocument, { first: 20 },
    );
    expect(large.data.quests.edges).toHaveLength(20);
    expect(large.data.quests.edges.flatMap((e) => [...e.node.applications, ...e.node.participants]).length).toBeGreaterThan(60);
    expect(small.statements).toBeGreaterThan(3);
    expect(large.statements).toBe(small.statements);
  });

  it("runs as many for 2 quests as for 12 under a teacher's row rules (applicants' accounts, profiles, deciders)", async () => {
    const doc = `query($first: Int, $filter: QuestFilter) { quests(first: $first, filter: $filter) { edges { node {
      id status creator { id username } assignedTo { id username email }
      applications { id status applicant { id username email studentProfile { cohort } } decidedBy { username } }
      participants { joinedAt user { id username email } } } } } }`;
    const filter = { creatorId: ids.user.teacher1, status: 'IN_PROGRESS' };
    const small = await gql<never, unknown>('teacher1', doc, { first: 2, filter });
    const large = await gql<{ quests: { edges: unknown[] } }, unknown>('teacher1', doc, { first: 12, filter });
    expect(large.data.quests.edges).toHaveLength(7);
    expect(large.statements).toBe(small.statements);
  });

  it("runs as many for 2 closed quests as for 7 when a student's visibility needs their applications", async () => {
    const small = await gql<never, unknown>('student1', QuestsDocument, { first: 2, filter: { status: 'CANCELLED' } });
    const large = await gql<{ quests: { edges: unknown[] } }, unknown>('student1', QuestsDocument, { first: 20, filter: { status: 'CANCELLED' } });
    expect(large.data.quests.edges).toHaveLength(7);
    expect(large.statements).toBe(small.statements);
  });
});
