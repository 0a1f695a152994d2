import type { EntityManager } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditAction } from '../src/entities/audit-action';
import { AuditLog } from '../src/entities/audit-log.entity';
import { chainHash, GENESIS_HASH } from '../src/services/audit-chain';
import { appendAudit, systemSource } from '../src/services/audit.service';
import { CreateApiKeyDocument, LockUserDocument, LoginDocument, UsersDocument } from './generated/graphql';
import { startTestApp, type TestApp } from './support/app';
import { DEMO_PASSWORD } from './support/constants';

let app: TestApp;
const em = (): EntityManager => app.assay.database.orm.em.fork();

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.stop());

/** Recomputes the whole chain as an outside checker would. */
async function chainProblems(): Promise<string[]> {
  const rows = await em().find(AuditLog, {}, { orderBy: { seq: 'asc' } });
  const problems: string[] = [];
  let prev = GENESIS_HASH;
  rows.forEach((row, i) => {
    if (row.seq !== i + 1) problems.push(`gap before seq ${row.seq}`);
    if (row.prevHash !== prev) problems.push(`seq ${row.seq} does not link to its predecessor`);
    if (row.hash !== chainHash(row.prevHash, row)) problems.push(`seq ${row.seq} was edited`);
    prev = row.hash;
  });
  return problems;
}

const entriesOf = (action: AuditAction) => em().find(AuditLog, { action }, { orderBy: { seq: 'asc' } });

describe('audit log', () => {
  it('records logins and failed logins with who, what and where', async () => {
    const before = (await entriesOf(AuditAction.LOGIN_FAILED)).length;
    await app.gql(LoginDocument, { email: 'student20@example.edu', password: 'wrong-password' }, { headers: { 'user-agent': 'audit-test' } });
    await app.gql(LoginDocument, { email: 'student20@example.edu', password: DEMO_PASSWORD });
    const failed = await entriesOf(AuditAction.LOGIN_FAILED);
    expect(failed.length).toBe(before + 1);
    expect(failed.at(-1)).toMatchObject({ actorKind: 'ANONYMOUS', userAgent: 'audit-test', details: { email: 'student20@example.edu', reason: 'wrong_password' } });
    expect(failed.at(-1)!.details).not.toHaveProperty('password');
    const logins = await entriesOf(AuditAction.LOGIN);
    expect(logins.at(-1)).toMatchObject({ actorKind: 'USER', resourceType: 'User', ip: expect.any(String), requestId: expect.any(String) });
  });

  it('records lock and API key creation in the same transaction as the change', async () => {
    const admin = await app.login('admin@example.edu');
    const users = await app.gql(UsersDocument, { filter: { search: 'student21@' } }, { token: admin });
    const target = users.data!.users.edges[0].node.id;
    await app.gql(LockUserDocument, { userId: target }, { token: admin });
    const lock = (await entriesOf(AuditAction.LOCK_USER)).at(-1)!;
    expect(lock).toMatchObject({ actorKind: 'USER', resourceId: target, details: { sessionsEnded: 0 } });

    const created = await app.gql(CreateApiKeyDocument, { input: { name: 'nb', scopes: ['read'] } }, { token: admin });
    const entry = (await entriesOf(AuditAction.API_KEY_CREATED)).at(-1)!;
    expect(entry.resourceId).toBe(created.data!.createApiKey.apiKey.id);
    expect(JSON.stringify(entry)).not.toContain(created.data!.createApiKey.key);
  });

  it('writes nothing when the recorded change rolls back', async () => {
    const count = await em().count(AuditLog);
    await expect(
      em().transactional(async (tx) => {
        await appendAudit(tx, systemSource('test'), { action: AuditAction.REPAIR });
        throw new Error('change failed');
      }),
    ).rejects.toThrow('change failed');
    expect(await em().count(AuditLog)).toBe(count);
  });

  it('refuses to append outside a transaction', async () => {
    await expect(appendAudit(em(), systemSource('test'), { action: AuditAction.REPAIR })).rejects.toThrow(/inside the transaction/);
  });

  it('keeps one gap-free, unbroken chain under 40 concurrent writers', async () => {
    const start = await em().count(AuditLog);
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        em().transactional((tx) => appendAudit(tx, systemSource('test'), { action: AuditAction.REPAIR, details: { writer: i } })),
      ),
    );
    expect(await em().count(AuditLog)).toBe(start + 40);
    expect(await chainProblems()).toEqual([]);
  });

  it('refuses UPDATE, DELETE and TRUNCATE of audit rows', async () => {
    const sql = (q: string) => em().execute(q);
    await expect(sql(`update audit_logs set action = 'LOGIN' where seq = 1`)).rejects.toThrow(/append-only/);
    await expect(sql(`delete from audit_logs where seq = 1`)).rejects.toThrow(/append-only/);
    // cascade: without it, the foreign keys of tables that link to entries would refuse first.
    await expect(sql(`truncate audit_logs cascade`)).rejects.toThrow(/append-only/);
    expect(await chainProblems()).toEqual([]);
  });
});
