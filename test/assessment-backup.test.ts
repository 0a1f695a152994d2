import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBareSchema } from '../src/schema';
import { loadConfig } from '../src/config';
import { CreateBackupDocument } from './generated/graphql';
import { codeOf, startTestApp, type TestApp } from './support/app';
import { apiKeyFor, countAssessments, countEvidence } from './support/assessments';

let app: TestApp;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'assay-backups-'));
  app = await startTestApp({ BACKUP_DIR: dir });
});
afterAll(async () => {
  await app?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('createBackup', () => {
  it('writes a full export with its manifest into BACKUP_DIR and reports it', async () => {
    const result = await app.gql(CreateBackupDocument, {}, { token: await app.login('admin@example.edu') });
    expect(result.errors).toBeUndefined();
    const backup = result.data!.createBackup;
    expect(backup.fileName).toMatch(/^assessments-\d{4}-\d{2}-\d{2}T[\d-]+Z-[0-9a-f]{6}\.jsonl$/);
    expect(await readdir(dir)).toEqual([backup.fileName, `${backup.fileName}.manifest.json`].sort());
    const content = await readFile(path.join(dir, backup.fileName));
    expect(backup).toMatchObject({
      assessments: await countAssessments(app),
      evidence: await countEvidence(app),
      bytes: content.length,
      sha256: createHash('sha256').update(content).digest('hex'),
    });
    expect(content.toString().trim().split('\n')).toHaveLength(backup.assessments);
    expect(Math.abs(new Date(backup.createdAt).getTime() - Date.now())).toBeLessThan(60_000);
    const [entry] = await app.db.sql(`select actor_kind, details from audit_logs where action = 'EXPORT' order by seq desc limit 1`);
    expect(entry).toMatchObject({ actor_kind: 'USER', details: { purpose: 'backup', file: backup.fileName, sha256: backup.sha256 } });
  });

  it('is refused to everyone but an admin session, API keys included', async () => {
    const before = await readdir(dir);
    const refusals: [string, { token?: string; apiKey?: string }][] = [
      ['teacher', { token: await app.login('teacher1@example.edu') }],
      ['auditor', { token: await app.login('auditor@example.edu') }],
      ['admin key with every scope', { apiKey: await apiKeyFor(app, 'admin@example.edu', ['read', 'assessments:write']) }],
      ['anonymous', {}],
    ];
    for (const [who, auth] of refusals) {
      const result = await app.gql(CreateBackupDocument, {}, auth);
      expect(codeOf(result), who).toMatch(/FORBIDDEN|UNAUTHENTICATED/);
      expect(result.data, who).toBeNull();
    }
    expect(await readdir(dir)).toEqual(before);
  });

  it('takes no path from the caller, and the folder defaults to <ASSAY_DATA_DIR>/backups', async () => {
    const mutation = (await buildBareSchema()).getMutationType()!.getFields().createBackup;
    expect(mutation.args).toEqual([]);
    expect(loadConfig({ ASSAY_DATA_DIR: '/srv/assay' }).backupDir).toBe('/srv/assay/backups');
    expect(loadConfig({ ASSAY_DATA_DIR: '/srv/assay', BACKUP_DIR: '/mnt/backups' }).backupDir).toBe('/mnt/backups');
  });
});
