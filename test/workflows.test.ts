import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuditLogPageDocument,
  CreateApiKeyDocument,
  FinishWorkflowDocument,
  LoginDocument,
  StartWorkflowDocument,
  UserActivityDocument,
  WorkflowAuditDocument,
  WorkflowSuccessRatesDocument,
} from './generated/graphql';
import { codeOf, startTestApp, type TestApp } from './support/app';

let app: TestApp;
let admin: string;
let auditor: string;
let teacher: string;
let sql: Client;

beforeAll(async () => {
  app = await startTestApp();
  [admin, auditor, teacher] = await Promise.all(['admin', 'auditor', 'teacher1'].map((u) => app.login(`${u}@example.edu`)));
  sql = new Client({ connectionString: app.db.url });
  await sql.connect();
});
afterAll(async () => {
  await sql?.end();
  await app?.stop();
});

const start = async (workflowName: string, auth: { token?: string; apiKey?: string } = { token: teacher }) => {
  const result = await app.gql(StartWorkflowDocument, { input: { workflowName } }, auth);
  expect(result.errors).toBeUndefined();
  return result.data!.startWorkflow;
};
const finish = (id: string, input: { status: 'COMPLETED' | 'FAILED' | 'CANCELLED' | 'RUNNING'; result?: unknown; error?: string }, token = teacher) =>
  app.gql(FinishWorkflowDocument, { id, input }, { token });
const history = (id: string) =>
  app.gql(WorkflowAuditDocument, { filter: {}, first: 100 }, { token: auditor }).then((r) => r.data!.workflowExecutions.edges.find((e) => e.node.id === id)!.node);

describe('startWorkflow and finishWorkflow', () => {
  it('records a run from start to finish, each step linked to its audit entry', async () => {
    const started = await start('essay-feedback');
    expect(started).toMatchObject({ status: 'RUNNING', completedAt: null, durationMs: null, triggeredBy: { email: 'teacher1@example.edu' } });
    const finished = await finish(started.id, { status: 'COMPLETED', result: { score: 87, comments: ['clear thesis'] } });
    expect(finished.errors).toBeUndefined();
    const run = finished.data!.finishWorkflow;
    expect(run).toMatchObject({ status: 'COMPLETED', result: { score: 87, comments: ['clear thesis'] }, error: null });
    expect(run.durationMs).toBe(new Date(run.completedAt!).getTime() - new Date(run.startedAt).getTime());
    expect(run.durationMs).toBeGreaterThanOrEqual(0);

    const seen = await history(started.id);
    expect(seen.startedAuditEntry).toMatchObject({ action: 'WORKFLOW_STARTED', resourceId: started.id });
    expect(seen.finishedAuditEntry).toMatchObject({ action: 'WORKFLOW_FINISHED', resourceId: started.id, details: { status: 'COMPLETED' } });
  });

  it('returns a repeated finish unchanged and refuses a different one', async () => {
    const { id } = await start('essay-feedback');
    const first = await finish(id, { status: 'FAILED', error: 'model timed out' });
    const again = await finish(id, { status: 'FAILED', error: 'model timed out' });
    expect(again.data!.finishWorkflow).toEqual(first.data!.finishWorkflow);
    expect(codeOf(await finish(id, { status: 'COMPLETED' }))).toBe('CONFLICT');
    const entries = await app.gql(AuditLogPageDocument, { filter: { action: 'WORKFLOW_FINISHED', resourceId: id } }, { token: auditor });
    expect(entries.data!.auditLogs.totalCount).toBe(1);
  });

  it('refuses bad input and changes nothing', async () => {
    const { id } = await start('skill-assessment');
    const cases: [Parameters<typeof finish>[1], RegExp][] = [
      [{ status: 'RUNNING' }, /status must be COMPLETED, FAILED or CANCELLED/],
      [{ status: 'FAILED' }, /A FAILED workflow needs an error/],
      [{ status: 'COMPLETED', error: 'but it failed' }, /A COMPLETED workflow has no error/],
      [{ status: 'CANCELLED', error: '' }, /error must be 1-10000 characters/],
    ];
    for (const [input, message] of cases) {
      const result = await finish(id, input);
      expect(codeOf(result)).toBe('BAD_USER_INPUT');
      expect(result.errors![0].message).toMatch(message);
    }
    expect(codeOf(await finish('not-a-uuid', { status: 'COMPLETED' }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await app.gql(StartWorkflowDocument, { input: { workflowName: 'has spaces' } }, { token: teacher }))).toBe('BAD_USER_INPUT');
    expect((await history(id)).status).toBe('RUNNING');
    const finishes = await app.gql(AuditLogPageDocument, { filter: { action: 'WORKFLOW_FINISHED', resourceId: id } }, { token: auditor });
    expect(finishes.data!.auditLogs.totalCount).toBe(0);
  });

  it('is constrained in the database too', async () => {
    const { id } = await start('skill-assessment');
    await expect(sql.query(`update workflow_executions set status = 'FAILED', completed_at = now(), duration_ms = 1 where id = $1`, [id])).rejects.toThrow(
      /workflow_executions_(finished|error)_check/,
    );
    await expect(sql.query(`update workflow_executions set completed_at = now() where id = $1`, [id])).rejects.toThrow(/workflow_executions_finished_check/);
  });

  it('lets the starter (or an admin) finish a run; other teachers are told it does not exist', async () => {
    const { id } = await start('behaviour-analysis');
    const other = await app.login('teacher2@example.edu');
    expect(codeOf(await finish(id, { status: 'CANCELLED' }, other))).toBe('NOT_FOUND');
    expect((await finish(id, { status: 'CANCELLED' }, admin)).data!.finishWorkflow.status).toBe('CANCELLED');
  });

  it('accepts integration keys with a write scope; refuses students and read-only keys', async () => {
    const key = (await app.gql(CreateApiKeyDocument, { input: { name: 'grader', scopes: ['analysis:write'] } }, { token: teacher })).data!.createApiKey.key;
    expect((await start('skill-assessment', { apiKey: key })).triggeredBy).toMatchObject({ email: 'teacher1@example.edu' });
    const student = await app.login('student8@example.edu');
    expect(codeOf(await app.gql(StartWorkflowDocument, { input: { workflowName: 'x' } }, { token: student }))).toBe('FORBIDDEN');
    const readOnly = (await app.gql(CreateApiKeyDocument, { input: { name: 'ro', scopes: ['read'] } }, { token: teacher })).data!.createApiKey.key;
    expect(codeOf(await app.gql(StartWorkflowDocument, { input: { workflowName: 'x' } }, { apiKey: readOnly }))).toBe('FORBIDDEN');
    expect(codeOf(await app.gql(WorkflowAuditDocument, {}, { token: teacher }))).toBe('FORBIDDEN');
  });
});

describe('workflowSuccessRates', () => {
  it('counts every status per workflow, over runs started in the range', async () => {
    const since = new Date().toISOString();
    for (const status of ['COMPLETED', 'COMPLETED', 'FAILED'] as const) {
      const { id } = await start('rates-test');
      await finish(id, { status, ...(status === 'FAILED' && { error: 'boom' }) });
    }
    await start('rates-test');
    const recent = await app.gql(WorkflowSuccessRatesDocument, { from: since }, { token: auditor });
    expect(recent.errors).toBeUndefined();
    expect(recent.data!.workflowSuccessRates.find((r) => r.workflowName === 'rates-test')).toMatchObject({
      total: 4, completed: 2, failed: 1, cancelled: 0, running: 1, successRate: 0.6667,
    });
    const all = (await app.gql(WorkflowSuccessRatesDocument, {}, { token: admin })).data!.workflowSuccessRates;
    const demo = all.find((r) => r.workflowName === 'behaviour-analysis')!;
    expect(demo).toMatchObject({ completed: 3, failed: 1, running: 1 });
    expect(demo.averageDurationMs).toBeGreaterThan(0);
    expect(codeOf(await app.gql(WorkflowSuccessRatesDocument, { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }, { token: admin }))).toBe('BAD_USER_INPUT');
  });

  it('is hidden from students and teachers', async () => {
    for (const token of [teacher, await app.login('student9@example.edu')]) {
      const result = await app.gql(WorkflowSuccessRatesDocument, {}, { token });
      expect(codeOf(result)).toBe('FORBIDDEN');
      expect(result.data).toBeNull();
    }
  });
});

describe('userActivity', () => {
  it('shows each account’s logins, failed logins, workflows and when it was last seen (admins)', async () => {
    await app.gql(LoginDocument, { email: 'teacher4@example.edu', password: 'wrong-password' });
    const teacher4 = await app.login('teacher4@example.edu');
    await start('activity-test', { token: teacher4 });
    const activity = await app.gql(UserActivityDocument, {}, { token: admin });
    expect(activity.errors).toBeUndefined();
    const row = activity.data!.userActivity.find((a) => a.user.email === 'teacher4@example.edu')!;
    expect(row).toMatchObject({ logins: 1, failedLogins: 1, workflows: 1 });
    expect(Date.now() - new Date(row.lastSeenAt!).getTime()).toBeLessThan(60_000);
    const demoTeacher = activity.data!.userActivity.find((a) => a.user.email === 'teacher1@example.edu')!;
    expect(demoTeacher.logins).toBeGreaterThanOrEqual(2);
    expect(demoTeacher.workflows).toBeGreaterThan(0);

    const one = await app.gql(UserActivityDocument, { userId: row.userId }, { token: admin });
    expect(one.data!.userActivity.map((a) => a.userId)).toEqual([row.userId]);
    const past = await app.gql(UserActivityDocument, { from: '2020-01-01T00:00:00Z', to: '2020-02-01T00:00:00Z' }, { token: admin });
    expect(past.data!.userActivity).toEqual([]);
    expect(codeOf(await app.gql(UserActivityDocument, { limit: 0 }, { token: admin }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await app.gql(UserActivityDocument, { userId: 'x' }, { token: admin }))).toBe('BAD_USER_INPUT');
  });

  it('is for admins only', async () => {
    for (const token of [auditor, teacher, await app.login('student10@example.edu')]) {
      const result = await app.gql(UserActivityDocument, {}, { token });
      expect(codeOf(result)).toBe('FORBIDDEN');
      expect(result.data).toBeNull();
    }
  });
});
