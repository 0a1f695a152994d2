import { describe, expect, test } from 'vitest';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  AssessmentCursorPageDocument,
  ExamAttemptCursorPageDocument,
  ExamCursorPageDocument,
  LlmTrailCursorPageDocument,
  QuestCursorPageDocument,
  UpdateQuestDocument,
  UserCursorPageDocument,
  WorkflowCursorPageDocument,
} from './generated/graphql';
import { type TestApp, appPerFile } from './support/app';
import { sql } from './support/assessments';

interface IdPage {
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
  edges: { node: { id: string } }[];
}

const it = test.extend<{ app: TestApp; admin: string }>({
  app: appPerFile,
  admin: [async ({ app }, use) => use(await app.login('admin@example.edu')), { scope: 'file' }],
});

/**
 * Crowds a table's rows into one millisecond: a few microseconds apart, many exactly equal.
 * Returns the ids in the connection's order (newest first, then by id).
 */
async function crowd(app: TestApp, table: string, where = 'true'): Promise<string[]> {
  await sql(
    app,
    `update ${table} set created_at = timestamptz '2020-03-01 10:00:00.123000+00' + (abs(hashtext(id::text)) % 4) * interval '1 microsecond'
      where ${where}`,
  );
  const rows = await sql<{ id: string }>(app, `select id from ${table} where ${where} order by created_at desc, id desc`);
  return rows.map((r) => r.id);
}

/** Every id of a connection, walked `first` at a time. */
async function walk<T, V>(
  app: TestApp,
  token: string,
  document: TypedDocumentNode<T, V>,
  variables: Omit<V, 'first' | 'after'>,
  connection: (data: T) => IdPage,
  first: number,
): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null | undefined = null;
  do {
    const result = await app.gql(document, { ...variables, first, after } as V, { token });
    expect(result.errors).toBeUndefined();
    const page = connection(result.data!);
    ids.push(...page.edges.map((e) => e.node.id));
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after);
  return ids;
}

describe('keyset pages over rows that share a millisecond', () => {
  it('assessments, one at a time and a few at a time, skip and repeat nothing', async ({ app, admin }) => {
    const student = (await sql<{ id: string }>(app, `select id from users where email = 'student1@example.edu'`))[0].id;
    const own = await crowd(app, 'skill_assessments', `student_id = '${student}'`);
    expect(own.length).toBeGreaterThan(10);
    for (const first of [1, 3, 7]) {
      expect(await walk(app, admin, AssessmentCursorPageDocument, { filter: { studentId: student } }, (d) => d.assessments, first)).toEqual(own);
    }
    const all = await crowd(app, 'skill_assessments');
    expect(await walk(app, admin, AssessmentCursorPageDocument, {}, (d) => d.assessments, 100)).toEqual(all);
  });

  it('exams, users, quests and workflow executions', async ({ app, admin }) => {
    const cases = [
      { table: 'exams', walk: () => walk(app, admin, ExamCursorPageDocument, {}, (d) => d.exams, 2) },
      { table: 'users', walk: () => walk(app, admin, UserCursorPageDocument, {}, (d) => d.users, 2) },
      { table: 'quests', walk: () => walk(app, admin, QuestCursorPageDocument, {}, (d) => d.quests, 2) },
      { table: 'workflow_executions', walk: () => walk(app, admin, WorkflowCursorPageDocument, {}, (d) => d.workflowExecutions, 2) },
    ];
    for (const c of cases) {
      const expected = await crowd(app, c.table);
      expect(expected.length, c.table).toBeGreaterThan(3);
      expect(await c.walk(), c.table).toEqual(expected);
    }
  });

  it("an exam's attempts and a project's LLM calls", async ({ app, admin }) => {
    const [exam] = await sql<{ exam_id: string }>(app, 'select exam_id from exam_attempts group by exam_id order by count(*) desc limit 1');
    const attempts = await crowd(app, 'exam_attempts', `exam_id = '${exam.exam_id}'`);
    expect(attempts.length).toBeGreaterThan(3);
    expect(await walk(app, admin, ExamAttemptCursorPageDocument, { examId: exam.exam_id }, (d) => d.examAttempts, 2)).toEqual(attempts);

    const [project] = await sql<{ project_id: string }>(app, 'select project_id from llm_audit_trails group by project_id order by count(*) desc limit 1');
    const calls = await crowd(app, 'llm_audit_trails', `project_id = '${project.project_id}'`);
    expect(calls.length).toBeGreaterThan(3);
    expect(await walk(app, admin, LlmTrailCursorPageDocument, { projectId: project.project_id }, (d) => d.llmAuditTrails, 2)).toEqual(calls);
  });

  it('a page after a deleted row goes on from where that row stood', async ({ app, admin }) => {
    const all = await crowd(app, 'workflow_executions');
    const first = await app.gql(WorkflowCursorPageDocument, { first: 2 }, { token: admin });
    const cursor = first.data!.workflowExecutions.pageInfo.endCursor!;
    await sql(app, 'delete from workflow_executions where id = $1', [all[1]]);
    const next = await app.gql(WorkflowCursorPageDocument, { first: 2, after: cursor }, { token: admin });
    expect(next.errors).toBeUndefined();
    expect(next.data!.workflowExecutions.edges.map((e) => e.node.id)).toEqual(all.slice(2, 4));
  });
});

describe('stored microseconds', () => {
  it('survive a write through the ORM', async ({ app }) => {
    const [quest] = await sql<{ id: string; creator: string }>(
      app,
      `select q.id, u.email as creator from quests q join users u on u.id = q.creator_id where q.status = 'OPEN' limit 1`,
    );
    await sql(app, `update quests set created_at = timestamptz '2020-03-01 10:00:00.123456+00' where id = $1`, [quest.id]);
    const token = await app.login(quest.creator);
    const updated = await app.gql(UpdateQuestDocument, { id: quest.id, input: { title: 'Renamed, timestamp kept' } }, { token });
    expect(updated.errors).toBeUndefined();
    const [row] = await sql<{ micros: string }>(app, `select to_char(created_at at time zone 'UTC', 'US') as micros from quests where id = $1`, [quest.id]);
    expect(row.micros).toBe('123456');
  });

  it('a cursor from before microseconds (an ISO string) is still accepted', async ({ app, admin }) => {
    const all = await crowd(app, 'exams');
    const [row] = await sql<{ created_at: Date }>(app, 'select created_at from exams where id = $1', [all[0]]);
    const legacy = Buffer.from(JSON.stringify([row.created_at.toISOString(), all[0]])).toString('base64url');
    const next = await app.gql(ExamCursorPageDocument, { first: 1, after: legacy }, { token: admin });
    expect(next.errors).toBeUndefined();
    expect(next.data!.exams.edges).toHaveLength(1);
    const bad = await app.gql(ExamCursorPageDocument, { first: 1, after: Buffer.from('["12x", "nope"]').toString('base64url') }, { token: admin });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
