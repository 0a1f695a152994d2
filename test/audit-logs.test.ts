import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuditLogPageDocument,
  CreateApiKeyDocument,
  LockUserDocument,
  StartWorkflowDocument,
  UnlockUserDocument,
  UsersDocument,
} from './generated/graphql';
import { codeOf, startTestApp, type TestApp } from './support/app';

let app: TestApp;
let admin: string;
let auditor: string;

beforeAll(async () => {
  app = await startTestApp();
  [admin, auditor] = await Promise.all([app.login('admin@example.edu'), app.login('auditor@example.edu')]);
});
afterAll(() => app?.stop());

const page = (vars: Parameters<typeof app.gql<unknown, Record<string, unknown>>>[1] = {}, token = auditor) =>
  app.gql(AuditLogPageDocument, vars, { token });

describe('auditLogs', () => {
  it('pages the whole log newest first by seq, without overlap', async () => {
    const first = await page({ first: 10 });
    expect(first.errors).toBeUndefined();
    const log = first.data!.auditLogs;
    const seqs = log.edges.map((e) => e.node.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(seqs[0]).toBe(log.totalCount);
    expect(log.pageInfo.hasNextPage).toBe(true);
    const second = (await page({ first: 10, after: log.pageInfo.endCursor })).data!.auditLogs;
    expect(second.edges[0].node.seq).toBe(seqs.at(-1)! - 1);
    expect(codeOf(await page({ after: 'bm90LWEtY3Vyc29y' }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await page({ first: 101 }))).toBe('BAD_USER_INPUT');
  });

  it('loads the acting users of a page in one batch', async () => {
    const small = await page({ first: 5 });
    const large = await page({ first: 100 });
    expect(large.data!.auditLogs.edges.filter((e) => e.node.actorUser).length).toBeGreaterThan(5);
    expect(large.statements).toBe(small.statements);
  });

  it('holds the demo data: its creation, workflow runs and logins', async () => {
    const count = async (action: string) => (await page({ filter: { action } })).data!.auditLogs.totalCount;
    expect(await count('SEED')).toBe(1);
    expect(await count('PROJECT_CREATED')).toBeGreaterThanOrEqual(1);
    expect(await count('WORKFLOW_STARTED')).toBe(18);
    expect(await count('WORKFLOW_FINISHED')).toBe(15);
    expect(await count('LOGIN')).toBeGreaterThanOrEqual(7);
  });

  it('filters by action, actor, resource and time, all together', async () => {
    const users = await app.gql(UsersDocument, { filter: { search: 'student40@' } }, { token: admin });
    const target = users.data!.users.edges[0].node.id;
    const before = new Date();
    await app.gql(LockUserDocument, { userId: target }, { token: admin });
    await app.gql(UnlockUserDocument, { userId: target }, { token: admin });
    const adminId = (await page({ filter: { action: 'LOCK_USER' }, first: 1 })).data!.auditLogs.edges[0].node.actorUserId!;

    const onTarget = (await page({ filter: { resourceType: 'User', resourceId: target, from: before.toISOString() } })).data!.auditLogs;
    expect(onTarget.edges.map((e) => e.node.action)).toEqual(['UNLOCK_USER', 'LOCK_USER']);
    expect(onTarget.edges[0].node.actorUser).toMatchObject({ email: 'admin@example.edu' });

    const locks = (await page({ filter: { action: 'LOCK_USER', actorId: adminId, resourceId: target } })).data!.auditLogs;
    expect(locks.totalCount).toBe(1);
    const none = (await page({ filter: { action: 'LOCK_USER', resourceId: target, to: before.toISOString() } })).data!.auditLogs;
    expect(none.totalCount).toBe(0);
  });

  it('finds what an API key did by its id', async () => {
    const created = await app.gql(CreateApiKeyDocument, { input: { name: 'pipeline', scopes: ['read', 'analysis:write'] } }, { token: admin });
    const { key, apiKey } = created.data!.createApiKey;
    const run = await app.gql(StartWorkflowDocument, { input: { workflowName: 'audit-log-test' } }, { apiKey: key });
    const viaKey = await app.gql(AuditLogPageDocument, { filter: { actorId: apiKey.id } }, { apiKey: key });
    expect(viaKey.errors).toBeUndefined();
    expect(viaKey.data!.auditLogs.edges.map((e) => e.node)).toEqual([
      expect.objectContaining({ action: 'WORKFLOW_STARTED', actorKind: 'API_KEY', actorApiKeyId: apiKey.id, resourceId: run.data!.startWorkflow.id }),
    ]);
  });

  it('refuses unknown actions and malformed filters with BAD_USER_INPUT, naming the problem', async () => {
    const unknown = await page({ filter: { action: 'DELETE_EVERYTHING' } });
    expect(codeOf(unknown)).toBe('BAD_USER_INPUT');
    expect(unknown.errors![0].message).toMatch(/DELETE_EVERYTHING.*AuditAction/);
    const literal = await app.gql('{ auditLogs(filter: { action: DELETE_EVERYTHING }) { totalCount } }', {}, { token: auditor });
    expect(codeOf(literal)).toBe('BAD_USER_INPUT');
    expect(codeOf(await page({ filter: { actorId: 'not-a-uuid' } }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await page({ filter: { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' } }))).toBe('BAD_USER_INPUT');
  });

  it('gives students, teachers, anonymous callers and write-only keys nothing', async () => {
    for (const email of ['student1@example.edu', 'teacher1@example.edu']) {
      const result = await page({}, await app.login(email));
      expect(codeOf(result)).toBe('FORBIDDEN');
      expect(result.data).toBeNull();
    }
    expect(codeOf(await app.gql(AuditLogPageDocument, {}))).toBe('UNAUTHENTICATED');
    const writer = await app.gql(CreateApiKeyDocument, { input: { name: 'writer', scopes: ['assessments:write'] } }, { token: admin });
    expect(codeOf(await app.gql(AuditLogPageDocument, {}, { apiKey: writer.data!.createApiKey.key }))).toBe('FORBIDDEN');
  });
});
