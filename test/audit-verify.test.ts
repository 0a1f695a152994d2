import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainHash } from '../src/services/audit-chain';
import { CreateApiKeyDocument, VerifyAuditChainDocument } from './generated/graphql';
import { codeOf, startTestApp, type TestApp } from './support/app';
import { runCliOn } from './support/cli';

let app: TestApp;
let admin: string;
/** A superuser connection that bypasses the append-only trigger, as an attacker with database access would. */
let attacker: Client;

beforeAll(async () => {
  app = await startTestApp();
  admin = await app.login('admin@example.edu');
  attacker = new Client({ connectionString: app.db.url });
  await attacker.connect();
  await attacker.query(`set session_replication_role = replica`);
});
afterAll(async () => {
  await attacker?.end();
  await app?.stop();
});

const verify = (vars: Parameters<typeof app.gql<unknown, Record<string, unknown>>>[1] = {}, token = admin) =>
  app.gql(VerifyAuditChainDocument, vars, { token });

async function row(seq: number) {
  const { rows } = await attacker.query(`select * from audit_logs where seq = $1`, [seq]);
  return rows[0];
}

/** Tampers, checks, and puts the row(s) back, so each case starts from an intact chain. */
async function whileTampered(tamper: string[], restore: string[], check: () => Promise<void>) {
  for (const sql of tamper) await attacker.query(sql);
  try {
    await check();
  } finally {
    for (const sql of restore) await attacker.query(sql);
  }
  expect((await verify()).data!.verifyAuditLog.intact).toBe(true);
}

describe('verifyAuditLog', () => {
  it('reports an intact chain and the latest hash to anchor', async () => {
    const result = await verify();
    expect(result.errors).toBeUndefined();
    const v = result.data!.verifyAuditLog;
    const { rows } = await attacker.query(`select max(seq) as seq from audit_logs`);
    const latest = await row(Number(rows[0].seq));
    expect(v).toMatchObject({ intact: true, fromSeq: 1, toSeq: Number(latest.seq), entriesChecked: Number(latest.seq), firstBrokenSeq: null, problem: null });
    expect(v.latestHash).toBe(latest.hash);
    expect(v.latestSeq).toBe(Number(latest.seq));
  });

  it('names the seq of an edited entry', async () => {
    await whileTampered(
      [`update audit_logs set details = '{"forged": true}' where seq = 5`],
      [`update audit_logs set details = '${JSON.stringify((await row(5)).details)}' where seq = 5`],
      async () => {
        const v = (await verify()).data!.verifyAuditLog;
        expect(v).toMatchObject({ intact: false, firstBrokenSeq: 5, problem: 'EDITED', entriesChecked: 4 });
        expect(v.message).toMatch(/seq 5 was changed/);
      },
    );
  });

  it('names the link after an entry rewritten with a recomputed hash', async () => {
    const original = await row(5);
    const forged = { ...original, seq: 5, details: { forged: true }, actorKind: original.actor_kind, actorUserId: original.actor_user_id,
      actorApiKeyId: original.actor_api_key_id, resourceType: original.resource_type, resourceId: original.resource_id,
      userAgent: original.user_agent, requestId: original.request_id, createdAt: original.created_at };
    const hash = chainHash(original.prev_hash, forged);
    await whileTampered(
      [`update audit_logs set details = '{"forged": true}', hash = '${hash}' where seq = 5`],
      [`update audit_logs set details = '${JSON.stringify(original.details)}', hash = '${original.hash}' where seq = 5`],
      async () => {
        const v = (await verify()).data!.verifyAuditLog;
        expect(v).toMatchObject({ intact: false, firstBrokenSeq: 6, problem: 'LINK_BROKEN' });
      },
    );
  });

  it('names the seq of a deleted entry', async () => {
    const deleted = await row(7);
    const columns = Object.keys(deleted);
    await whileTampered(
      [`delete from audit_logs where seq = 7`],
      [],
      async () => {
        const v = (await verify()).data!.verifyAuditLog;
        expect(v).toMatchObject({ intact: false, firstBrokenSeq: 7, problem: 'MISSING' });
        // From the entry after the gap, its missing predecessor is reported too.
        expect((await verify({ fromSeq: 8 })).data!.verifyAuditLog).toMatchObject({ intact: false, firstBrokenSeq: 7, problem: 'MISSING' });
        await attacker.query(
          `insert into audit_logs (${columns.join(', ')}) values (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
          columns.map((c) => deleted[c]),
        );
      },
    );
  });

  it('names the seq where swapped entries start', async () => {
    await whileTampered(
      [
        `update audit_logs set seq = 1000000 where seq = 10`,
        `update audit_logs set seq = 10 where seq = 12`,
        `update audit_logs set seq = 12 where seq = 1000000`,
      ],
      [
        `update audit_logs set seq = 1000000 where seq = 10`,
        `update audit_logs set seq = 10 where seq = 12`,
        `update audit_logs set seq = 12 where seq = 1000000`,
      ],
      async () => {
        const v = (await verify()).data!.verifyAuditLog;
        expect(v).toMatchObject({ intact: false, firstBrokenSeq: 10, problem: 'REORDERED', entriesChecked: 9 });
        expect(v.message).toMatch(/follows seq 11/);
      },
    );
  });

  it('checks a seq range or a time range, with the link into it', async () => {
    const bySeq = (await verify({ fromSeq: 3, toSeq: 8 })).data!.verifyAuditLog;
    expect(bySeq).toMatchObject({ intact: true, fromSeq: 3, toSeq: 8, entriesChecked: 6 });
    const [first, last] = [await row(3), await row(8)];
    const byTime = (await verify({ from: first.created_at.toISOString(), to: new Date(last.created_at.getTime() + 1).toISOString() })).data!.verifyAuditLog;
    expect(byTime.fromSeq).toBeLessThanOrEqual(3);
    expect(byTime.toSeq).toBeGreaterThanOrEqual(8);
    expect(byTime.intact).toBe(true);
    // An edit before the range is outside it; an edit to the entry the range links to is not.
    await whileTampered([`update audit_logs set details = '{"forged": true}' where seq = 2`], [`update audit_logs set details = '${JSON.stringify((await row(2)).details)}' where seq = 2`], async () => {
      expect((await verify({ fromSeq: 3, toSeq: 8 })).data!.verifyAuditLog.intact).toBe(true);
      expect((await verify({ fromSeq: 2, toSeq: 8 })).data!.verifyAuditLog).toMatchObject({ intact: false, firstBrokenSeq: 2 });
    });
  });

  it('refuses an empty or inverted range with BAD_USER_INPUT', async () => {
    const future = await verify({ from: '2999-01-01T00:00:00Z' });
    expect(codeOf(future)).toBe('BAD_USER_INPUT');
    expect(future.errors![0].message).toMatch(/No audit entries in that time range/);
    expect(codeOf(await verify({ fromSeq: 10_000_000 }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await verify({ from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await verify({ fromSeq: 5, toSeq: 4 }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await verify({ fromSeq: 0 }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await verify({ from: '2026-01-01T00:00:00Z', fromSeq: 2 }))).toBe('BAD_USER_INPUT');
  });

  it('detects deletion of the newest entries only through an anchor', async () => {
    const anchored = (await verify()).data!.verifyAuditLog;
    const tail = await row(anchored.latestSeq);
    const columns = Object.keys(tail);
    await whileTampered([`delete from audit_logs where seq = ${anchored.latestSeq}`], [], async () => {
      expect((await verify()).data!.verifyAuditLog.intact).toBe(true);
      const v = (await verify({ anchor: { seq: anchored.latestSeq, hash: anchored.latestHash } })).data!.verifyAuditLog;
      expect(v).toMatchObject({ intact: false, problem: 'ANCHOR_MISMATCH', firstBrokenSeq: anchored.latestSeq });
      await attacker.query(`insert into audit_logs (${columns.join(', ')}) values (${columns.map((_, i) => `$${i + 1}`).join(', ')})`, columns.map((c) => tail[c]));
    });
    expect(codeOf(await verify({ anchor: { seq: 1, hash: 'not-a-hash' } }))).toBe('BAD_USER_INPUT');
  });

  it('is for admins and auditors only', async () => {
    for (const email of ['student1@example.edu', 'teacher1@example.edu']) {
      const result = await verify({}, await app.login(email));
      expect(codeOf(result)).toBe('FORBIDDEN');
      expect(result.data).toBeNull();
    }
    expect(codeOf(await app.gql(VerifyAuditChainDocument, {}))).toBe('UNAUTHENTICATED');
    expect((await verify({}, await app.login('auditor@example.edu'))).data!.verifyAuditLog.intact).toBe(true);
    const writeOnly = await app.gql(CreateApiKeyDocument, { input: { name: 'writer', scopes: ['analysis:write'] } }, { token: admin });
    expect(codeOf(await app.gql(VerifyAuditChainDocument, {}, { apiKey: writeOnly.data!.createApiKey.key }))).toBe('FORBIDDEN');
  });
});

// Each run starts a Node process that compiles the sources: slow on a busy machine.
describe('assay verify audit-log and audit-log anchor', { timeout: 120_000 }, () => {
  it('exits 0 on an intact chain and 1, naming the seq, on a broken one', async () => {
    const ok = await runCliOn(app.db.url, ['verify', 'audit-log']);
    expect(ok.stdout).toMatch(/^Audit log intact: entries 1 to \d+/);
    expect(ok.code).toBe(0);
    await whileTampered(
      [`update audit_logs set action = 'LOGOUT' where seq = 4`],
      [`update audit_logs set action = '${(await row(4)).action}' where seq = 4`],
      async () => {
        const broken = await runCliOn(app.db.url, ['verify', 'audit-log', '--from-seq', '2']);
        expect(broken.stdout).toMatch(/BROKEN at seq 4 \(EDITED\)/);
        expect(broken.code).toBe(1);
      },
    );
    const bad = await runCliOn(app.db.url, ['verify', 'audit-log', '--from', 'yesterday']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--from must be a date/);
  });

  it('appends anchors to a file, verifying from the last one, and refuses to anchor a broken chain', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'assay-anchor-'));
    const file = path.join(dir, 'anchors.log');
    try {
      expect((await runCliOn(app.db.url, ['audit-log', 'anchor', '--file', file])).code).toBe(0);
      await app.login('student30@example.edu');
      const second = await runCliOn(app.db.url, ['audit-log', 'anchor', '--file', file]);
      expect(second.code).toBe(0);
      const lines = (await readFile(file, 'utf8')).trim().split('\n');
      expect(lines).toHaveLength(2);
      const [seq1, seq2] = lines.map((l) => Number(l.split(' ')[0]));
      expect(seq2).toBeGreaterThan(seq1);
      expect(second.stdout).toContain(`verified from seq ${seq1}`);
      expect((await verify()).data!.verifyAuditLog.latestHash).toBe(lines[1].split(' ')[1]);

      const tail = await row(seq2);
      const columns = Object.keys(tail);
      await whileTampered([`delete from audit_logs where seq = ${seq2}`], [], async () => {
        const checked = await runCliOn(app.db.url, ['verify', 'audit-log', '--anchors', file]);
        expect(checked.stdout).toMatch(new RegExp(`BROKEN at seq ${seq2} \\(ANCHOR_MISMATCH\\)`));
        expect(checked.code).toBe(1);
        const refused = await runCliOn(app.db.url, ['audit-log', 'anchor', '--file', file]);
        expect(refused.code).toBe(1);
        expect((await readFile(file, 'utf8')).trim().split('\n')).toHaveLength(2);
        await attacker.query(`insert into audit_logs (${columns.join(', ')}) values (${columns.map((_, i) => `$${i + 1}`).join(', ')})`, columns.map((c) => tail[c]));
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
