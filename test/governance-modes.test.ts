import { describe, expect, test as base } from 'vitest';
import {
  AuditLogPageDocument,
  CreateGovernanceModeDocument,
  FinishWorkflowDocument,
  GovernanceModeDistributionDocument,
  GovernanceModesDocument,
  ModeTrailsDocument,
  ModeWorkflowsDocument,
  RecordModeLlmCallDocument,
  RetireGovernanceModeDocument,
  StartModeWorkflowDocument,
  UpdateLlmCallDocument,
} from './generated/graphql';
import { appPerFile, codeOf, type TestApp } from './support/app';

/*
 * Governance modes (issue 17, part A) through HTTP: the admin-managed list, tagging
 * workflows and LLM calls at their start, immutability, and the distribution by mode.
 */

interface Tokens {
  admin: string;
  auditor: string;
  teacher: string;
  student: string;
}

let keys = 0;

const test = base.extend<{ app: TestApp; tokens: Tokens; projectId: string; mode: string }>({
  app: appPerFile,
  tokens: [
    async ({ app }, use) => {
      const [admin, auditor, teacher, student] = await Promise.all(
        ['admin', 'auditor', 'teacher1', 'student1'].map((u) => app.login(`${u}@example.edu`)),
      );
      await use({ admin, auditor, teacher, student });
    },
    { scope: 'file' },
  ],
  projectId: [
    async ({ app }, use) => {
      const [row] = await app.db.sql(`select id from projects where name = 'Demo: AI assessment pilot'`);
      await use(row.id as string);
    },
    { scope: 'file' },
  ],
  /** A fresh active mode, created by the admin; its key. */
  mode: async ({ app, tokens }, use) => {
    const key = `test-mode-${++keys}`;
    const created = await app.gql(CreateGovernanceModeDocument, { input: { key, name: `Test mode ${keys}`, description: 'for a test' } }, { token: tokens.admin });
    expect(created.errors).toBeUndefined();
    await use(key);
  },
});

/** The WORKFLOW_STARTED entry of a run, as an auditor reads it (teachers do not read the audit log). */
const startEntry = async (app: TestApp, auditor: string, runId: string) => {
  const entries = await app.gql(AuditLogPageDocument, { filter: { action: 'WORKFLOW_STARTED', resourceId: runId } }, { token: auditor });
  expect(entries.data!.auditLogs.totalCount).toBe(1);
  return entries.data!.auditLogs.edges[0].node;
};

const count = async (app: TestApp, sql: string) => Number((await app.db.sql(sql))[0].n);

describe('governanceModes', () => {
  test('lists active modes by key for admins, auditors and teachers; retired ones on request', async ({ app, tokens }) => {
    for (const token of [tokens.admin, tokens.auditor, tokens.teacher]) {
      const active = await app.gql(GovernanceModesDocument, {}, { token });
      expect(active.errors).toBeUndefined();
      const keysSeen = active.data!.governanceModes.map((m) => m.key).filter((k) => !k.startsWith('test-'));
      expect(keysSeen).toEqual(['assist', 'autonomous', 'review']);
      const all = await app.gql(GovernanceModesDocument, { includeRetired: true }, { token });
      const pilot = all.data!.governanceModes.find((m) => m.key === 'pilot')!;
      expect(pilot.retiredAt).not.toBeNull();
    }
  });

  test('gives a student and an anonymous caller nothing', async ({ app, tokens }) => {
    const student = await app.gql(GovernanceModesDocument, { includeRetired: true }, { token: tokens.student });
    expect(codeOf(student)).toBe('FORBIDDEN');
    expect(student.data).toBeNull();
    const anonymous = await app.gql(GovernanceModesDocument, {});
    expect(codeOf(anonymous)).toBe('UNAUTHENTICATED');
    expect(anonymous.data).toBeNull();
  });
});

describe('createGovernanceMode and retireGovernanceMode', () => {
  test('create is audited in the same transaction', async ({ app, tokens }) => {
    const created = await app.gql(CreateGovernanceModeDocument, { input: { key: 'co-pilot_2', name: ' Co-pilot ', description: 'Pairs with a teacher' } }, { token: tokens.admin });
    expect(created.errors).toBeUndefined();
    const mode = created.data!.createGovernanceMode;
    expect(mode).toMatchObject({ key: 'co-pilot_2', name: 'Co-pilot', description: 'Pairs with a teacher', retiredAt: null });
    const entries = await app.gql(AuditLogPageDocument, { filter: { action: 'GOVERNANCE_MODE_CREATED', resourceId: mode.id } }, { token: tokens.auditor });
    expect(entries.data!.auditLogs.totalCount).toBe(1);
    expect(entries.data!.auditLogs.edges[0].node).toMatchObject({
      resourceType: 'GovernanceMode',
      actorKind: 'USER',
      details: { key: 'co-pilot_2', name: 'Co-pilot', description: 'Pairs with a teacher' },
    });
  });

  test('a duplicate key is CONFLICT, a retired one too, and writes nothing', async ({ app, tokens, mode }) => {
    const before = await count(app, `select count(*) as n from audit_logs where action = 'GOVERNANCE_MODE_CREATED'`);
    const again = await app.gql(CreateGovernanceModeDocument, { input: { key: mode, name: 'Again' } }, { token: tokens.admin });
    expect(codeOf(again)).toBe('CONFLICT');
    expect(again.errors![0].message).toContain(`"${mode}"`);
    const retired = await app.gql(CreateGovernanceModeDocument, { input: { key: 'pilot', name: 'Pilot again' } }, { token: tokens.admin });
    expect(codeOf(retired)).toBe('CONFLICT');
    expect(await count(app, `select count(*) as n from governance_modes where key = '${mode}'`)).toBe(1);
    expect(await count(app, `select count(*) as n from audit_logs where action = 'GOVERNANCE_MODE_CREATED'`)).toBe(before);
  });

  test('refuses badly shaped keys and blank names', async ({ app, tokens }) => {
    for (const key of ['Upper', 'a', 'has space', '-dash-first', 'x'.repeat(51), 'émoji']) {
      const result = await app.gql(CreateGovernanceModeDocument, { input: { key, name: 'Bad' } }, { token: tokens.admin });
      expect(codeOf(result), key).toBe('BAD_USER_INPUT');
    }
    const blank = await app.gql(CreateGovernanceModeDocument, { input: { key: 'blank-name', name: '   ' } }, { token: tokens.admin });
    expect(codeOf(blank)).toBe('BAD_USER_INPUT');
    expect(await count(app, `select count(*) as n from governance_modes where key in ('blank-name', 'a')`)).toBe(0);
  });

  test('only admins manage modes: others are FORBIDDEN and change nothing', async ({ app, tokens, mode }) => {
    for (const token of [tokens.auditor, tokens.teacher, tokens.student]) {
      const created = await app.gql(CreateGovernanceModeDocument, { input: { key: 'not-allowed', name: 'No' } }, { token });
      expect(codeOf(created)).toBe('FORBIDDEN');
      expect(created.data).toBeNull();
      const retired = await app.gql(RetireGovernanceModeDocument, { key: mode }, { token });
      expect(codeOf(retired)).toBe('FORBIDDEN');
    }
    expect(await count(app, `select count(*) as n from governance_modes where key = 'not-allowed' or (key = '${mode}' and retired_at is not null)`)).toBe(0);
  });

  test('retire keeps the mode for history, audited once; retiring again returns it unchanged', async ({ app, tokens, mode }) => {
    const first = await app.gql(RetireGovernanceModeDocument, { key: mode }, { token: tokens.admin });
    expect(first.errors).toBeUndefined();
    const retired = first.data!.retireGovernanceMode;
    expect(retired.retiredAt).not.toBeNull();
    const again = await app.gql(RetireGovernanceModeDocument, { key: mode }, { token: tokens.admin });
    expect(again.data!.retireGovernanceMode).toEqual(retired);
    const entries = await app.gql(AuditLogPageDocument, { filter: { action: 'GOVERNANCE_MODE_RETIRED', resourceId: retired.id } }, { token: tokens.auditor });
    expect(entries.data!.auditLogs.totalCount).toBe(1);
    expect(entries.data!.auditLogs.edges[0].node.details).toMatchObject({ key: mode, retiredAt: retired.retiredAt });

    const listed = await app.gql(GovernanceModesDocument, {}, { token: tokens.teacher });
    expect(listed.data!.governanceModes.map((m) => m.key)).not.toContain(mode);
    const all = await app.gql(GovernanceModesDocument, { includeRetired: true }, { token: tokens.teacher });
    expect(all.data!.governanceModes.map((m) => m.key)).toContain(mode);

    expect(codeOf(await app.gql(RetireGovernanceModeDocument, { key: 'no-such-mode' }, { token: tokens.admin }))).toBe('NOT_FOUND');
  });

  test('the database keeps a retired mode retired and a key stable', async ({ app, mode }) => {
    await app.db.sql(`update governance_modes set retired_at = now() where key = '${mode}'`);
    await expect(app.db.sql(`update governance_modes set retired_at = null where key = '${mode}'`)).rejects.toThrow(/is retired/);
    await expect(app.db.sql(`update governance_modes set key = 'renamed' where key = 'assist'`)).rejects.toThrow(/stable identifier/);
  });
});

describe('tagging work with a mode', () => {
  test('startWorkflow stores the mode, shows it, and writes it into the start audit entry', async ({ app, tokens, mode }) => {
    const started = await app.gql(StartModeWorkflowDocument, { input: { workflowName: 'essay-feedback', mode } }, { token: tokens.teacher });
    expect(started.errors).toBeUndefined();
    const run = started.data!.startWorkflow;
    expect(run.mode).toEqual({ key: mode });
    const [row] = await app.db.sql(`select m.key, m.id from workflow_executions w join governance_modes m on m.id = w.mode_id where w.id = '${run.id}'`);
    expect(row.key).toBe(mode);
    const entry = await startEntry(app, tokens.auditor, run.id);
    expect(entry).toMatchObject({ action: 'WORKFLOW_STARTED', details: { workflowName: 'essay-feedback', mode: { id: row.id, key: mode } } });

    // Finishing it leaves the mode as it was.
    const finished = await app.gql(FinishWorkflowDocument, { id: run.id, input: { status: 'COMPLETED' } }, { token: tokens.teacher });
    expect(finished.errors).toBeUndefined();
    expect(await count(app, `select count(*) as n from workflow_executions where id = '${run.id}' and mode_id = '${String(row.id)}'`)).toBe(1);
  });

  test('without a mode a run is untagged and its audit entry names none', async ({ app, tokens }) => {
    const started = await app.gql(StartModeWorkflowDocument, { input: { workflowName: 'essay-feedback' } }, { token: tokens.teacher });
    expect(started.data!.startWorkflow.mode).toBeNull();
    expect((await startEntry(app, tokens.auditor, started.data!.startWorkflow.id)).details).not.toHaveProperty('mode');
  });

  test('an unknown or retired mode is BAD_USER_INPUT naming it, and nothing is written', async ({ app, tokens, projectId }) => {
    const runs = await count(app, `select count(*) as n from workflow_executions`);
    const trails = await count(app, `select count(*) as n from llm_audit_trails`);
    const started = await count(app, `select count(*) as n from audit_logs where action = 'WORKFLOW_STARTED'`);
    for (const [key, message] of [['no-such-mode', /Unknown governance mode "no-such-mode"/], ['pilot', /Governance mode "pilot" is retired/]] as const) {
      const run = await app.gql(StartModeWorkflowDocument, { input: { workflowName: 'essay-feedback', mode: key } }, { token: tokens.teacher });
      expect(codeOf(run)).toBe('BAD_USER_INPUT');
      expect(run.errors![0].message).toMatch(message);
      const call = await app.gql(RecordModeLlmCallDocument, { input: { messageId: `refused-${key}`, projectId, model: 'gpt-4o', mode: key } }, { token: tokens.teacher });
      expect(codeOf(call)).toBe('BAD_USER_INPUT');
      expect(call.errors![0].message).toMatch(message);
    }
    expect(await count(app, `select count(*) as n from workflow_executions`)).toBe(runs);
    expect(await count(app, `select count(*) as n from llm_audit_trails`)).toBe(trails);
    expect(await count(app, `select count(*) as n from audit_logs where action = 'WORKFLOW_STARTED'`)).toBe(started);
  });

  test('recordLlmCall stores the mode; a retry with it returns the record, with another mode it is CONFLICT', async ({ app, tokens, projectId, mode }) => {
    const input = { messageId: `mode-call-${mode}`, projectId, model: 'gpt-4o', mode };
    const first = await app.gql(RecordModeLlmCallDocument, { input }, { token: tokens.teacher });
    expect(first.errors).toBeUndefined();
    expect(first.data!.recordLlmCall.mode).toEqual({ key: mode });
    const retry = await app.gql(RecordModeLlmCallDocument, { input }, { token: tokens.teacher });
    expect(retry.data!.recordLlmCall.id).toBe(first.data!.recordLlmCall.id);
    expect(codeOf(await app.gql(RecordModeLlmCallDocument, { input: { ...input, mode: 'assist' } }, { token: tokens.teacher }))).toBe('CONFLICT');
    expect(codeOf(await app.gql(RecordModeLlmCallDocument, { input: { ...input, mode: undefined } }, { token: tokens.teacher }))).toBe('CONFLICT');
  });

  test('the mode cannot change afterwards: no patch takes it, and the database refuses it', async ({ app, tokens, projectId, mode }) => {
    const messageId = `immutable-${mode}`;
    const call = await app.gql(RecordModeLlmCallDocument, { input: { messageId, projectId, model: 'gpt-4o', mode } }, { token: tokens.teacher });
    expect(call.errors).toBeUndefined();
    const patched = await app.gql(UpdateLlmCallDocument, { messageId, patch: { model: 'gpt-4o-mini', mode: 'assist' } as never }, { token: tokens.admin });
    expect(codeOf(patched)).toBe('BAD_USER_INPUT');
    expect(patched.errors![0].message).toMatch(/"mode" is not defined/);

    const run = await app.gql(StartModeWorkflowDocument, { input: { workflowName: 'skill-assessment', mode } }, { token: tokens.teacher });
    const runId = run.data!.startWorkflow.id;
    for (const [table, id] of [['llm_audit_trails', call.data!.recordLlmCall.id], ['workflow_executions', runId]]) {
      await expect(app.db.sql(`update ${table} set mode_id = (select id from governance_modes where key = 'assist') where id = '${id}'`)).rejects.toThrow(/cannot change/);
      await expect(app.db.sql(`update ${table} set mode_id = null where id = '${id}'`)).rejects.toThrow(/cannot change/);
    }
    expect(await count(app, `select count(*) as n from llm_audit_trails t join governance_modes m on m.id = t.mode_id where t.message_id = '${messageId}' and m.key = '${mode}'`)).toBe(1);
  });

  test('lists show each row\'s mode with one statement per batch, whatever the page size', async ({ app, tokens, projectId }) => {
    const small = await app.gql(ModeWorkflowsDocument, { first: 3 }, { token: tokens.auditor });
    const large = await app.gql(ModeWorkflowsDocument, { first: 100 }, { token: tokens.auditor });
    expect(large.errors).toBeUndefined();
    expect(large.statements).toBe(small.statements);
    const modes = new Set(large.data!.workflowExecutions.edges.map((e) => e.node.mode?.key ?? null));
    expect(modes).toContain(null);
    expect(modes).toContain('assist');

    const trails = await app.gql(ModeTrailsDocument, { projectId, first: 100 }, { token: tokens.auditor });
    const fewTrails = await app.gql(ModeTrailsDocument, { projectId, first: 3 }, { token: tokens.auditor });
    expect(trails.statements).toBe(fewTrails.statements);
    expect(new Set(trails.data!.llmAuditTrails.edges.map((e) => e.node.mode?.key ?? null)).size).toBeGreaterThan(2);
  });
});

describe('governanceModeDistribution', () => {
  const week = () => ({ from: new Date(Date.now() - 8 * 86_400_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() });

  test('an auditor reads requests per mode whose sums match the raw rows', async ({ app, tokens }) => {
    const { from, to } = week();
    const result = await app.gql(GovernanceModeDistributionDocument, { from, to }, { token: tokens.auditor });
    expect(result.errors).toBeUndefined();
    const rows = result.data!.governanceModeDistribution;
    const keyOf = (r: (typeof rows)[number]) => r.mode?.key ?? '(none)';

    const range = (column: string) => `${column} >= '${from}' and ${column} < '${to}'`;
    const raw = await app.db.sql(`
      select coalesce(m.key, '(none)') as key, sum(workflows)::int as workflows, sum(calls)::int as calls, sum(cost)::text as cost,
             sum(completed)::int as completed
        from (select mode_id, count(*) as workflows, 0 as calls, 0::numeric as cost, count(*) filter (where status = 'COMPLETED') as completed
                from workflow_executions where ${range('started_at')} group by mode_id
              union all
              select mode_id, 0, count(*), coalesce(sum(total_cost), 0), 0 from llm_audit_trails where ${range('called_at')} group by mode_id) x
        left join governance_modes m on m.id = x.mode_id
       group by 1 order by 1`);
    const expected = Object.fromEntries(raw.map((r) => [r.key, r]));
    expect(rows.map(keyOf).sort()).toEqual(Object.keys(expected).sort());
    expect(rows.map(keyOf)).toEqual(expect.arrayContaining(['assist', 'review', 'autonomous', 'pilot', '(none)']));
    for (const row of rows) {
      const want = expected[keyOf(row)];
      expect(row.workflows, keyOf(row)).toBe(want.workflows);
      expect(row.workflowsCompleted).toBe(want.completed);
      expect(row.llmCalls).toBe(want.calls);
      expect(row.requests).toBe(want.workflows + want.calls);
      expect(Number(row.totalCost)).toBe(Number(want.cost));
      expect(row.workflowsCompleted + row.workflowsUnsuccessful + row.workflowsRunning).toBe(row.workflows);
      if (row.successRate !== null) expect(row.successRate).toBeCloseTo(row.workflowsCompleted / (row.workflowsCompleted + row.workflowsUnsuccessful), 4);
    }
    // The total cost over every group equals the table's, exactly.
    const [total] = await app.db.sql(`select coalesce(sum(total_cost), 0)::text as cost from llm_audit_trails where ${range('called_at')}`);
    const sum = rows.reduce((acc, r) => acc + BigInt(Math.round(Number(r.totalCost) * 1e10)), 0n);
    expect(sum).toBe(BigInt(Math.round(Number(total.cost) * 1e10)));
  });

  test('with a projectId counts only that project\'s calls (workflows have no project)', async ({ app, tokens, projectId }) => {
    const result = await app.gql(GovernanceModeDistributionDocument, { ...week(), projectId }, { token: tokens.admin });
    expect(result.errors).toBeUndefined();
    for (const row of result.data!.governanceModeDistribution) {
      expect(row.workflows).toBe(0);
      expect(row.successRate).toBeNull();
      expect(row.requests).toBe(row.llmCalls);
    }
    const calls = result.data!.governanceModeDistribution.reduce((n, r) => n + r.llmCalls, 0);
    const { from, to } = week();
    expect(calls).toBe(await count(app, `select count(*) as n from llm_audit_trails where project_id = '${projectId}' and called_at >= '${from}' and called_at < '${to}'`));
  });

  test('a teacher or a student is refused with no data', async ({ app, tokens }) => {
    for (const token of [tokens.teacher, tokens.student]) {
      const result = await app.gql(GovernanceModeDistributionDocument, week(), { token });
      expect(codeOf(result)).toBe('FORBIDDEN');
      expect(result.data).toBeNull();
    }
  });

  test('validates the range and the project', async ({ app, tokens }) => {
    const now = Date.now();
    const at = (ms: number) => new Date(ms).toISOString();
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ from: at(now), to: at(now) }, 'BAD_USER_INPUT', /from must be before to/],
      [{ from: at(now), to: at(now - 1000) }, 'BAD_USER_INPUT', /from must be before to/],
      [{ from: at(now - 367 * 86_400_000), to: at(now) }, 'BAD_USER_INPUT', /at most 366 days/],
      [{ ...week(), projectId: '00000000-0000-4000-8000-000000000000' }, 'NOT_FOUND', /Project not found/],
      [{ ...week(), projectId: 'not-a-uuid' }, 'BAD_USER_INPUT', /projectId must be a UUID/],
    ];
    for (const [variables, code, message] of cases) {
      const result = await app.gql(GovernanceModeDistributionDocument, variables as never, { token: tokens.auditor });
      expect(codeOf(result), JSON.stringify(variables)).toBe(code);
      expect(result.errors![0].message).toMatch(message);
    }
  });
});
