import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuditLogPageDocument,
  CreateApiKeyDocument,
  CreateProjectDocument,
  DeleteProjectDocument,
  LlmAuditTrailsDocument,
  ProjectCostsDocument,
  ProjectsDocument,
  RecordLlmCallDocument,
  UpdateLlmCallDocument,
  UpdateProjectDocument,
  type RecordLlmCallInput,
} from './generated/graphql';
import type { ApiScope } from '../src/auth/scopes';
import type { Context } from '../src/context';
import { User } from '../src/entities';
import { createLoaders } from '../src/loaders';
import { canSeeTrail, canSeeWorkflowExecution } from '../src/permissions/governance.rules';
import { codeOf, startTestApp, type TestApp } from './support/app';

let app: TestApp;
let admin: string;
let auditor: string;
let teacher: string;
/** A teacher's integration key, as a grading service would hold it. */
let writerKey: string;
let sql: Client;

const keyFor = async (token: string, scopes: string[]) =>
  (await app.gql(CreateApiKeyDocument, { input: { name: `key-${scopes.join('-')}`, scopes } }, { token })).data!.createApiKey.key;

beforeAll(async () => {
  app = await startTestApp();
  [admin, auditor, teacher] = await Promise.all(['admin', 'auditor', 'teacher1'].map((u) => app.login(`${u}@example.edu`)));
  writerKey = await keyFor(teacher, ['assessments:write']);
  sql = new Client({ connectionString: app.db.url });
  await sql.connect();
});
afterAll(async () => {
  await sql?.end();
  await app?.stop();
});

const newProject = async (name: string, retentionDays?: number) => {
  const created = await app.gql(CreateProjectDocument, { input: { name, retentionDays } }, { token: admin });
  expect(created.errors).toBeUndefined();
  return created.data!.createProject.id;
};
const record = (input: RecordLlmCallInput, auth: { apiKey?: string; token?: string } = { apiKey: writerKey }) =>
  app.gql(RecordLlmCallDocument, { input }, auth);
const trailCount = async () => Number((await sql.query(`select count(*) from llm_audit_trails`)).rows[0].count);

describe('projects', () => {
  it('are created, renamed and re-tained by admins, audited, with unique names', async () => {
    const id = await newProject('Pilot A', 30);
    expect(codeOf(await app.gql(CreateProjectDocument, { input: { name: 'pilot a' } }, { token: admin }))).toBe('CONFLICT');
    expect(codeOf(await app.gql(CreateProjectDocument, { input: { name: 'Pilot Z', retentionDays: 0 } }, { token: admin }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await app.gql(CreateProjectDocument, { input: { name: 'Pilot T' } }, { token: teacher }))).toBe('FORBIDDEN');
    expect(codeOf(await app.gql(CreateProjectDocument, { input: { name: '   ' } }, { token: admin }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await app.gql(UpdateProjectDocument, { id, input: {} }, { token: admin }))).toBe('BAD_USER_INPUT');
    const cleared = await app.gql(UpdateProjectDocument, { id, input: { retentionDays: null } }, { token: admin });
    expect(cleared.data!.updateProject.retentionDays).toBeNull();
    const entries = await app.gql(AuditLogPageDocument, { filter: { resourceType: 'Project', resourceId: id } }, { token: auditor });
    expect(entries.data!.auditLogs.edges.map((e) => e.node.action)).toEqual(['PROJECT_UPDATED', 'PROJECT_CREATED']);
    const listed = await app.gql(ProjectsDocument, {}, { apiKey: writerKey });
    expect(listed.data!.projects.map((p) => p.name)).toContain('Pilot A');
    expect(codeOf(await app.gql(ProjectsDocument, {}, { token: await app.login('student2@example.edu') }))).toBe('FORBIDDEN');
  });

  it('take their trails with them when deleted', async () => {
    const id = await newProject('Short-lived');
    await record({ messageId: 'gone-1', projectId: id, model: 'm' });
    await record({ messageId: 'gone-2', projectId: id, model: 'm' });
    expect(codeOf(await app.gql(DeleteProjectDocument, { id }, { token: teacher }))).toBe('FORBIDDEN');
    expect((await app.gql(DeleteProjectDocument, { id }, { token: admin })).data!.deleteProject).toBe(true);
    expect((await sql.query(`select count(*) from llm_audit_trails where project_id = $1`, [id])).rows[0].count).toBe('0');
    const entry = await app.gql(AuditLogPageDocument, { filter: { action: 'PROJECT_DELETED', resourceId: id } }, { token: auditor });
    expect(entry.data!.auditLogs.edges[0].node.details).toMatchObject({ name: 'Short-lived', trailsDeleted: 2 });
    expect(codeOf(await app.gql(DeleteProjectDocument, { id }, { token: admin }))).toBe('NOT_FOUND');
  });
});

describe('recordLlmCall and updateLlmCall', () => {
  it('records a placeholder, completes it idempotently, and returns the first record on a retry', async () => {
    const projectId = await newProject('Grading');
    const placeholder = await record({ messageId: 'msg-1', projectId, model: 'gpt-4o', contextLayers: ['system', 'rubric'] });
    expect(placeholder.errors).toBeUndefined();
    expect(placeholder.data!.recordLlmCall).toMatchObject({ isComplete: false, tokens: null, cost: null, reasoning: [], contextLayers: ['system', 'rubric'] });

    const retry = await record({ messageId: 'msg-1', projectId, model: 'something-else' });
    expect(retry.data!.recordLlmCall).toMatchObject({ id: placeholder.data!.recordLlmCall.id, model: 'gpt-4o' });
    const other = await newProject('Other');
    expect(codeOf(await record({ messageId: 'msg-1', projectId: other, model: 'gpt-4o' }))).toBe('CONFLICT');

    const patch = {
      tokens: { prompt: 1200, completion: 300 },
      cost: { prompt: '0.0036', completion: '0.0045' },
      reasoning: ['Read the rubric', 'Scored 4/5'],
    };
    const first = await app.gql(UpdateLlmCallDocument, { messageId: 'msg-1', patch }, { apiKey: writerKey });
    const second = await app.gql(UpdateLlmCallDocument, { messageId: 'msg-1', patch }, { apiKey: writerKey });
    expect(first.errors).toBeUndefined();
    expect(first.data!.updateLlmCall).toMatchObject({
      isComplete: true,
      tokens: { prompt: 1200, completion: 300, total: 1500 },
      cost: { prompt: '0.0036', completion: '0.0045', total: '0.0081' },
      reasoning: ['Read the rubric', 'Scored 4/5'],
    });
    expect(second.data!.updateLlmCall).toEqual(first.data!.updateLlmCall);
    expect(Number((await sql.query(`select count(*) from llm_audit_trails where message_id = 'msg-1'`)).rows[0].count)).toBe(1);
    expect(codeOf(await app.gql(UpdateLlmCallDocument, { messageId: 'nope', patch }, { apiKey: writerKey }))).toBe('NOT_FOUND');
    expect(codeOf(await app.gql(UpdateLlmCallDocument, { messageId: 'msg-1', patch: {} }, { apiKey: writerKey }))).toBe('BAD_USER_INPUT');
  });

  it("lets only the recorder or an admin complete a call, and hands nobody else's record back on a retry", async () => {
    const projectId = await newProject('Ownership');
    await record({ messageId: 'own-1', projectId, model: 'm' });
    const otherTeacher = await keyFor(await app.login('teacher2@example.edu'), ['analysis:write']);
    for (const auth of [{ apiKey: otherTeacher }, { token: admin }]) {
      const again = await record({ messageId: 'own-1', projectId, model: 'm' }, auth);
      expect([codeOf(again), again.errors![0].message]).toEqual(['CONFLICT', 'That messageId is already recorded by another caller']);
    }
    expect((await record({ messageId: 'own-1', projectId, model: 'm' }, { token: teacher })).errors).toBeUndefined();
    const patch = { model: 'changed' };
    expect(codeOf(await app.gql(UpdateLlmCallDocument, { messageId: 'own-1', patch }, { apiKey: otherTeacher }))).toBe('NOT_FOUND');
    expect((await app.gql(UpdateLlmCallDocument, { messageId: 'own-1', patch }, { token: admin })).data!.updateLlmCall.model).toBe('changed');
  });

  it('refuses negative tokens, non-decimal cost and other bad input, changing nothing', async () => {
    const projectId = await newProject('Bad input');
    const before = await trailCount();
    const base = { projectId, model: 'gpt-4o', messageId: 'bad-1' };
    const cases: [RecordLlmCallInput, RegExp][] = [
      [{ ...base, tokens: { prompt: -1, completion: 10 } }, /tokens.prompt must not be negative/],
      [{ ...base, tokens: { prompt: 1, completion: 10, total: -5 } }, /tokens.total must not be negative/],
      [{ ...base, cost: { prompt: 'abc', completion: '0.1' } }, /Decimal must be a string of digits/],
      [{ ...base, cost: { prompt: 0.1 as unknown as string, completion: '0.1' } }, /numbers are refused/],
      [{ ...base, cost: { prompt: '-0.5', completion: '0.1' } }, /cost.prompt must be a non-negative decimal/],
      [{ ...base, cost: { prompt: '0.00000000001', completion: '0' } }, /at most 9 digits before the point and 10 after/],
      [{ ...base, contextLayers: 'just text' }, /contextLayers must be a JSON array or object/],
      [{ ...base, timestamp: new Date(Date.now() + 3_600_000).toISOString() }, /timestamp must not be in the future/],
      [{ ...base, projectId: 'not-a-uuid' }, /projectId must be a UUID/],
      [{ ...base, messageId: '' }, /messageId must be 1-200 characters/],
      [{ ...base, model: '   ' }, /model must not be blank/],
    ];
    for (const [input, message] of cases) {
      const result = await record(input);
      expect(codeOf(result), JSON.stringify(input)).toBe('BAD_USER_INPUT');
      expect(result.errors![0].message).toMatch(message);
    }
    expect(codeOf(await record({ ...base, projectId: '00000000-0000-4000-8000-000000000000' }))).toBe('NOT_FOUND');
    await record({ ...base, messageId: 'bad-2' });
    const negativePatch = await app.gql(UpdateLlmCallDocument, { messageId: 'bad-2', patch: { tokens: { prompt: 5, completion: -1 } } }, { apiKey: writerKey });
    expect(codeOf(negativePatch)).toBe('BAD_USER_INPUT');
    expect(await trailCount()).toBe(before + 1);
    expect((await sql.query(`select prompt_tokens from llm_audit_trails where message_id = 'bad-2'`)).rows[0].prompt_tokens).toBeNull();
  });

  it('is refused by the database too: negative tokens or cost, half-filled usage', async () => {
    const projectId = await newProject('Constraints');
    const insert = (columns: string, values: string) =>
      sql.query(`insert into llm_audit_trails (id, message_id, project_id, model, called_at, ${columns}) values (gen_random_uuid(), 'db-' || gen_random_uuid(), $1, 'm', now(), ${values})`, [projectId]);
    await expect(insert('prompt_tokens, completion_tokens, total_tokens', '-1, 1, 0')).rejects.toThrow(/llm_audit_trails_tokens_check/);
    await expect(insert('prompt_cost, completion_cost, total_cost', '-0.01, 0, 0')).rejects.toThrow(/llm_audit_trails_cost_check/);
    await expect(insert('prompt_tokens', '1')).rejects.toThrow(/llm_audit_trails_tokens_complete_check/);
    await expect(insert('total_cost', '0.1')).rejects.toThrow(/llm_audit_trails_cost_complete_check/);
  });

  it('is for admins and teachers with a write scope: not students, auditors or read-only keys', async () => {
    const projectId = await newProject('Permissions');
    const input = { messageId: 'perm-1', projectId, model: 'm' };
    const student = await app.login('student3@example.edu');
    expect(codeOf(await record(input, { token: student }))).toBe('FORBIDDEN');
    expect(codeOf(await record(input, { apiKey: await keyFor(student, ['analysis:write']) }))).toBe('FORBIDDEN');
    expect(codeOf(await record(input, { token: auditor }))).toBe('FORBIDDEN');
    expect(codeOf(await record(input, { apiKey: await keyFor(teacher, ['read']) }))).toBe('FORBIDDEN');
    expect(codeOf(await record(input, {}))).toBe('UNAUTHENTICATED');
    expect(await trailCount()).toBe(Number((await sql.query(`select count(*) from llm_audit_trails`)).rows[0].count));
    expect((await sql.query(`select 1 from llm_audit_trails where message_id = 'perm-1'`)).rowCount).toBe(0);
    expect((await record(input, { token: teacher })).data!.recordLlmCall.messageId).toBe('perm-1');
  });
});

describe('costAnalytics', () => {
  it('adds exact decimals by day and by model, in SQL', async () => {
    const projectId = await newProject('Costs');
    const calls: RecordLlmCallInput[] = [
      { messageId: 'c-a', projectId, model: 'm1', timestamp: '2026-01-10T10:00:00Z', tokens: { prompt: 1000, completion: 500 }, cost: { prompt: '0.0025', completion: '0.005' } },
      { messageId: 'c-b', projectId, model: 'm2', timestamp: '2026-01-10T20:00:00Z', tokens: { prompt: 200, completion: 100 }, cost: { prompt: '0.0001', completion: '0.0002' } },
      { messageId: 'c-c', projectId, model: 'm1', timestamp: '2026-01-12T01:00:00Z', tokens: { prompt: 3000, completion: 1000 }, cost: { prompt: '0.0100000001', completion: '0.02' } },
      { messageId: 'c-p', projectId, model: 'm2', timestamp: '2026-01-12T02:00:00Z' },
    ];
    for (const call of calls) expect((await record(call)).errors).toBeUndefined();

    const result = await app.gql(ProjectCostsDocument, { projectId, recent: 3 }, { token: auditor });
    expect(result.errors).toBeUndefined();
    expect(result.data!.costAnalytics).toMatchObject({
      messageCount: 4,
      completedCount: 3,
      totalCost: '0.0378000001',
      promptCost: '0.0126000001',
      completionCost: '0.0252',
      totalTokens: 5800,
      promptTokens: 4200,
      completionTokens: 1600,
      averageCostPerMessage: '0.0126',
      costByDay: [
        { day: '2026-01-10', messageCount: 2, totalCost: '0.0078', totalTokens: 1800 },
        { day: '2026-01-11', messageCount: 0, totalCost: '0', totalTokens: 0 },
        { day: '2026-01-12', messageCount: 2, totalCost: '0.0300000001', totalTokens: 4000 },
      ],
      costByModel: [
        { model: 'm1', messageCount: 2, totalCost: '0.0375000001', totalTokens: 5500, averageCostPerMessage: '0.0187500001' },
        { model: 'm2', messageCount: 2, totalCost: '0.0003', totalTokens: 300, averageCostPerMessage: '0.0003' },
      ],
    });
    expect(result.data!.costAnalytics.recentTrails.map((t) => t.messageId)).toEqual(['c-p', 'c-c', 'c-b']);

    const later = await app.gql(ProjectCostsDocument, { projectId, from: '2026-01-11T00:00:00Z', to: '2026-01-13T00:00:00Z' }, { token: admin });
    expect(later.data!.costAnalytics).toMatchObject({ messageCount: 2, completedCount: 1, totalCost: '0.0300000001', averageCostPerMessage: '0.0300000001' });
    expect(later.data!.costAnalytics.costByDay.map((d) => d.day)).toEqual(['2026-01-12']);

    const empty = await app.gql(ProjectCostsDocument, { projectId, from: '2020-01-01T00:00:00Z', to: '2020-01-02T00:00:00Z' }, { token: admin });
    expect(empty.data!.costAnalytics).toMatchObject({ messageCount: 0, totalCost: '0', averageCostPerMessage: null, costByDay: [], costByModel: [], recentTrails: [] });
  });

  it('shows the demo project a week of calls over three models', async () => {
    const projects = (await app.gql(ProjectsDocument, {}, { token: auditor })).data!.projects;
    const demo = projects.find((p) => p.name === 'Demo: AI assessment pilot')!;
    const costs = (await app.gql(ProjectCostsDocument, { projectId: demo.id }, { token: auditor })).data!.costAnalytics;
    expect(costs.costByModel.map((m) => m.model).sort()).toEqual(['claude-sonnet-4', 'gpt-4o', 'gpt-4o-mini']);
    expect(costs.costByDay.length).toBeGreaterThanOrEqual(7);
    expect(costs.costByDay.length).toBeLessThanOrEqual(8);
    expect(costs.completedCount).toBe(costs.messageCount - 2);
    expect(costs.messageCount).toBeGreaterThan(7 * 20 - 1);
    expect(costs.recentTrails).toHaveLength(10);
    const trails = await app.gql(LlmAuditTrailsDocument, { projectId: demo.id, first: 5 }, { token: auditor });
    expect(trails.data!.llmAuditTrails.totalCount).toBe(costs.messageCount);
    expect(trails.data!.llmAuditTrails.edges[0].node.recordedBy).toMatchObject({ email: 'teacher1@example.edu' });
    // Projects and recorders come through the request's loaders: a longer page costs no more statements.
    const longer = await app.gql(LlmAuditTrailsDocument, { projectId: demo.id, first: 50 }, { token: auditor });
    expect(longer.statements).toBe(trails.statements);
  });

  it('refuses bad arguments and unknown projects', async () => {
    const projectId = await newProject('Args');
    expect(codeOf(await app.gql(ProjectCostsDocument, { projectId: 'nope' }, { token: admin }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await app.gql(ProjectCostsDocument, { projectId: '00000000-0000-4000-8000-000000000000' }, { token: admin }))).toBe('NOT_FOUND');
    expect(codeOf(await app.gql(ProjectCostsDocument, { projectId, from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }, { token: admin }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await app.gql(ProjectCostsDocument, { projectId, recent: 101 }, { token: admin }))).toBe('BAD_USER_INPUT');
  });

  it('gives students and teachers nothing, not even the trails they could record', async () => {
    const projectId = await newProject('Hidden');
    for (const token of [await app.login('student4@example.edu'), teacher]) {
      const costs = await app.gql(ProjectCostsDocument, { projectId }, { token });
      expect(codeOf(costs)).toBe('FORBIDDEN');
      expect(costs.data).toBeNull();
      expect(codeOf(await app.gql(LlmAuditTrailsDocument, { projectId }, { token }))).toBe('FORBIDDEN');
    }
    expect(codeOf(await app.gql(ProjectCostsDocument, { projectId }, { apiKey: writerKey }))).toBe('FORBIDDEN');
  });
});

describe('the trail and workflow row rules, on rows no scope let through', () => {
  it('answer from their predicates: overseers (an API key with read) all, anyone else what they recorded or started', async () => {
    const em = app.assay.database.orm.em.fork();
    const user = (username: string) => em.findOneOrFail(User, { username });
    const [teacher1, teacher2, admin, auditor] = await Promise.all(['teacher1', 'teacher2', 'admin', 'auditor'].map(user));
    const trail = { recordedByUserId: teacher1.id };
    const execution = { triggeredByUserId: teacher1.id };
    const verdict = (rule: typeof canSeeTrail, row: object, viewer: User, scopes: ApiScope[] | null = null) => {
      const ctx = { em, viewer: { user: viewer, via: scopes ? 'apiKey' : 'session', scopes: scopes && new Set(scopes), cohortsTaught: [] }, loaders: createLoaders(em), visibleRows: new WeakSet() } as Partial<Context>;
      return rule.resolve(row, {}, { ...ctx, _shield: { cache: {} } }, {} as never, { debug: true } as never);
    };
    for (const rule of [canSeeTrail, canSeeWorkflowExecution]) {
      const row = rule === canSeeTrail ? trail : execution;
      expect(await Promise.all([teacher1, teacher2, admin, auditor].map((viewer) => verdict(rule, row, viewer)))).toEqual([true, false, true, true]);
      expect(await verdict(rule, row, admin, ['assessments:write'])).toBe(false);
      expect(await verdict(rule, row, auditor, ['read'])).toBe(true);
    }
  });
});
