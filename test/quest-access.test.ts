import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateApiKeyDocument,
  QuestApplicationsDocument,
  QuestByIdDocument,
  QuestParticipantsDocument,
  QuestsDocument,
} from './generated/graphql';
import type { Context } from '../src/context';
import { Role } from '../src/entities/role';
import { Quest, QuestApplication, QuestParticipant, User } from '../src/entities';
import { createLoaders } from '../src/loaders';
import { canSeeApplication, canSeeParticipant, canSeeQuest } from '../src/permissions/quest.rules';
import { codeOf, startTestApp, type TestApp } from './support/app';
import { demoIds } from './support/quests';

let app: TestApp;
let ids: Awaited<ReturnType<typeof demoIds>>;
const tokens: Record<string, string> = {};
const login = async (name: string) => (tokens[name] ??= await app.login(`${name}@example.edu`));

const OPEN_1 = 'Peer review circle (cohort-1)';
const RUNNING_1 = 'Build a tiny classifier together (cohort-1)';
const DONE_1 = 'Explain gradient descent to a peer (cohort-1)';
const CANCELLED_1 = 'Study group for the midterm (cohort-1)';
const CANCELLED_2 = 'Study group for the midterm (cohort-2)';

beforeAll(async () => {
  app = await startTestApp();
  ids = await demoIds(app.db);
});
afterAll(() => app?.stop());

const titlesSeenBy = async (name: string) => {
  const result = await app.gql(QuestsDocument, { first: 100 }, { token: await login(name) });
  expect(result.errors).toBeUndefined();
  return result.data!.quests.edges.map((e) => e.node.title);
};

const applicantsSeenBy = async (name: string, title: string) => {
  const result = await app.gql(QuestApplicationsDocument, { id: ids.quest[title] }, { token: await login(name) });
  expect(result.errors).toBeUndefined();
  return result.data!.quest.applications.map((a) => a.applicant.username).sort();
};

describe('quests a viewer can see', () => {
  it('a student sees the quests still open, and the closed ones they applied to or take part in', async () => {
    const seen = await titlesSeenBy('student1');
    expect(seen).toHaveLength(11);
    expect(seen).toContain(OPEN_1);
    expect(seen).toContain('Build a tiny classifier together (cohort-3)');
    expect(seen).toContain(CANCELLED_1);
    expect(seen).not.toContain(CANCELLED_2);
    expect(seen).not.toContain(DONE_1);
    expect(await titlesSeenBy('student41')).toContain(DONE_1);
    expect(codeOf(await app.gql(QuestByIdDocument, { id: ids.quest[DONE_1] }, { token: await login('student1') }))).toBe('NOT_FOUND');
  });

  it('a teacher sees open quests and their own; admins and auditors see all twenty', async () => {
    const seen = await titlesSeenBy('teacher1');
    expect(seen).toHaveLength(12);
    expect(seen).toContain(CANCELLED_1);
    expect(seen).not.toContain(CANCELLED_2);
    expect(await titlesSeenBy('admin')).toHaveLength(20);
    expect(await titlesSeenBy('auditor')).toHaveLength(20);
  });

  it('filters and pages within the scope', async () => {
    const token = await login('student1');
    const closed = await app.gql(QuestsDocument, { filter: { status: 'CANCELLED' } }, { token });
    expect(closed.data!.quests.edges.map((e) => e.node.title)).toEqual([CANCELLED_1]);
    const mine = await app.gql(QuestsDocument, { filter: { creatorId: ids.user.teacher2 }, first: 1 }, { token });
    expect(mine.data!.quests.totalCount).toBe(2);
    const next = await app.gql(QuestsDocument, { filter: { creatorId: ids.user.teacher2 }, first: 1, after: mine.data!.quests.pageInfo.endCursor }, { token });
    expect(next.data!.quests.edges[0].node.title).not.toBe(mine.data!.quests.edges[0].node.title);
    expect(codeOf(await app.gql(QuestsDocument, { filter: { creatorId: 'teacher2' } }, { token }))).toBe('BAD_USER_INPUT');
  });

  it('anonymous callers get UNAUTHENTICATED', async () => {
    expect(codeOf(await app.gql(QuestsDocument, {}))).toBe('UNAUTHENTICATED');
    expect(codeOf(await app.gql(QuestByIdDocument, { id: ids.quest[OPEN_1] }))).toBe('UNAUTHENTICATED');
  });
});

describe('applications', () => {
  it('the creator, admins and auditors see all of a quest\'s applications', async () => {
    const all = ['student1', 'student11', 'student16', 'student6'];
    expect(await applicantsSeenBy('teacher1', OPEN_1)).toEqual(all);
    expect(await applicantsSeenBy('admin', OPEN_1)).toEqual(all);
    expect(await applicantsSeenBy('auditor', OPEN_1)).toEqual(all);
  });

  it('an applicant sees only their own; other students and other teachers see none', async () => {
    expect(await applicantsSeenBy('student1', OPEN_1)).toEqual(['student1']);
    expect(await applicantsSeenBy('student6', OPEN_1)).toEqual(['student6']);
    expect(await applicantsSeenBy('student2', OPEN_1)).toEqual([]);
    expect(await applicantsSeenBy('teacher2', OPEN_1)).toEqual([]);
    // A participant is not shown the other applications either.
    expect(await applicantsSeenBy('student21', RUNNING_1)).toEqual(['student21']);
  });

  it('the applicant reads the decision on their application', async () => {
    const result = await app.gql(QuestApplicationsDocument, { id: ids.quest[OPEN_1] }, { token: await login('student16') });
    expect(result.data!.quest.applications).toEqual([
      expect.objectContaining({ status: 'REJECTED', decisionReason: 'Please finish the prerequisite module first.', decidedBy: { id: ids.user.teacher1, username: 'teacher1' } }),
    ]);
  });
});

describe('participants', () => {
  const participantsSeenBy = async (name: string, title = RUNNING_1) =>
    app.gql(QuestParticipantsDocument, { id: ids.quest[title] }, { token: await login(name) });

  it('the creator, the participants, admins and auditors list them, by name', async () => {
    for (const name of ['teacher1', 'student21', 'student26', 'admin', 'auditor']) {
      const result = await participantsSeenBy(name);
      expect(result.errors, name).toBeUndefined();
      expect(result.data!.quest.participants!.map((p) => p.user.username)).toEqual(['student21', 'student26']);
    }
  });

  it('a non-participant gets FORBIDDEN and no names: another student, a pending applicant, another teacher', async () => {
    for (const name of ['student2', 'student31', 'student1', 'teacher2']) {
      const result = await participantsSeenBy(name);
      expect(codeOf(result), name).toBe('FORBIDDEN');
      expect(result.data?.quest.participants ?? null).toBeNull();
      expect(JSON.stringify(result)).not.toContain('student26');
    }
  });

  it("a fellow participant sees a participant's username but not their account details", async () => {
    const result = await app.gql(
      'query($id: ID!) { quest(id: $id) { participants { user { username email } } } }',
      { id: ids.quest[RUNNING_1] },
      { token: await login('student21') },
    );
    expect(codeOf(result)).toBe('FORBIDDEN');
    expect(JSON.stringify(result)).not.toContain('student26@');
  });

  it('the count of participants is visible to anyone who sees the quest', async () => {
    const result = await app.gql(QuestByIdDocument, { id: ids.quest[RUNNING_1] }, { token: await login('student2') });
    expect(result.data!.quest).toMatchObject({ participantCount: 2, assignedTo: { username: 'student21' }, creator: { username: 'teacher1' } });
  });
});

describe('API keys', () => {
  it('read quests with the read scope but cannot write them', async () => {
    const created = await app.gql(CreateApiKeyDocument, { input: { name: 'notebook', scopes: ['read'] } }, { token: await login('teacher1') });
    const apiKey = created.data!.createApiKey.key;
    expect((await app.gql(QuestsDocument, {}, { apiKey })).data!.quests.totalCount).toBe(12);
    const write = await app.gql('mutation { createQuest(input: { title: "via key" }) { id } }', {}, { apiKey });
    expect(codeOf(write)).toBe('FORBIDDEN');
    expect(await app.db.sql(`select 1 from quests where title = 'via key'`)).toEqual([]);
  });
});

describe('the quest row rule, on rows no scope let through', () => {
  it('answers from the one predicate: a closed quest is refused to a student outside it, allowed to one in it and to admins', async () => {
    const em = app.assay.database.orm.em.fork();
    const quest = await em.findOneOrFail(Quest, { id: ids.quest[DONE_1] });
    const verdict = async (username: string) => {
      const user = await em.findOneOrFail(User, { username });
      const ctx = { em, viewer: { user, via: 'session', scopes: null, cohortsTaught: [] }, loaders: createLoaders(em), visibleRows: new WeakSet() } as Partial<Context>;
      return canSeeQuest.resolve(quest, {}, { ...ctx, _shield: { cache: {} } }, {} as never, { debug: true } as never);
    };
    expect(await verdict('student1')).toBe(false);
    expect(await verdict('student41')).toBe(true);
    expect(await verdict('admin')).toBe(true);
  });
});

describe('the application and participant row rules, on rows no scope let through', () => {
  const verdicts = async (rule: typeof canSeeApplication, row: object, names: string[]) => {
    const em = app.assay.database.orm.em.fork();
    return Promise.all(
      names.map(async (username) => {
        const user = await em.findOneOrFail(User, { username });
        const ctx = { em, viewer: { user, via: 'session', scopes: null, cohortsTaught: [] }, loaders: createLoaders(em), visibleRows: new WeakSet() } as Partial<Context>;
        return rule.resolve(row, {}, { ...ctx, _shield: { cache: {} } }, {} as never, { debug: true } as never);
      }),
    );
  };

  it('answer from their predicates: an application for its applicant, the quest creator and overseers only', async () => {
    const em = app.assay.database.orm.em.fork();
    const application = await em.findOneOrFail(QuestApplication, { quest: ids.quest[RUNNING_1] }, { populate: ['applicant'] });
    const other = await em.findOneOrFail(User, { username: { $like: 'student%' }, id: { $ne: application.applicant.id }, studentProfile: { cohort: 'cohort-2' } });
    expect(await verdicts(canSeeApplication, application, [application.applicant.username, 'teacher1', 'admin', 'auditor', other.username, 'teacher2'])).toEqual([
      true, true, true, true, false, false,
    ]);
  });

  it('answer from their predicates: a participant for the quest creator, every participant of it and overseers only', async () => {
    const em = app.assay.database.orm.em.fork();
    const [first, second] = await em.find(QuestParticipant, { quest: ids.quest[RUNNING_1] }, { populate: ['user'], orderBy: { id: 'asc' } });
    const outsider = await em.findOneOrFail(User, { role: Role.STUDENT, id: { $nin: [first.user.id, second.user.id] }, studentProfile: { cohort: 'cohort-1' } });
    expect(await verdicts(canSeeParticipant, first, [first.user.username, second.user.username, 'teacher1', 'admin', outsider.username, 'teacher2'])).toEqual([
      true, true, true, true, false, false,
    ]);
  });
});
