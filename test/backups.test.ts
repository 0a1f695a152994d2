import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../src/config';
import { JobRunStatus, JobTrigger } from '../src/entities/job-run.entity';
import { backupJob } from '../src/jobs/backup.job';
import { runJob } from '../src/jobs/runner';
import { startScheduler } from '../src/jobs/scheduler';
import { CreateBackupDocument } from './generated/graphql';
import { startTestApp, type TestApp } from './support/app';
import { countAssessments, countEvidence, sql } from './support/assessments';
import { runCli, runCliOn } from './support/cli';
import { TEST_JWT_SECRET } from './support/constants';

let app: TestApp;
let dir: string;
let elsewhere: string;

const BACKUP = /^assessments-\d{4}-\d{2}-\d{2}T[\d-]+Z-[0-9a-f]{6}\.jsonl$/;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'assay-backup-job-'));
  elsewhere = await mkdtemp(path.join(os.tmpdir(), 'assay-backup-copies-'));
  app = await startTestApp({ BACKUP_DIR: dir });
});
afterAll(async () => {
  await app?.stop();
  for (const folder of [dir, elsewhere]) if (folder) await rm(folder, { recursive: true, force: true });
});

const configWith = (env: Record<string, string>): Config =>
  loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: app.db.url, JWT_SECRET: TEST_JWT_SECRET, BACKUP_DIR: dir, ...env });
const backupsIn = async (folder: string) => (await readdir(folder)).filter((f) => BACKUP.test(f)).sort();
const manifestOf = async (file: string) => JSON.parse(await readFile(`${file}.manifest.json`, 'utf8'));

describe('the backup job', () => {
  it('writes the export createBackup writes, keeps the newest BACKUP_KEEP with their manifests, and touches nothing else', async () => {
    // Two older backups (by name), and files that are not backups, one of them named almost like one.
    const old = ['assessments-2026-01-01T02-30-00-000Z-aaaaaa.jsonl', 'assessments-2026-01-02T02-30-00-000Z-bbbbbb.jsonl'];
    for (const name of old) {
      await writeFile(path.join(dir, name), '{}\n');
      await writeFile(path.join(dir, `${name}.manifest.json`), '{}\n');
    }
    const others = {
      'notes.txt': 'keep me',
      'all.jsonl': 'an export by hand',
      'all.jsonl.manifest.json': '{}',
      'assessments-2020-01-01T00-00-00-000Z-cccccc.jsonl.partial-4242': 'a crashed export',
      'assessments-2020-01-01.jsonl': 'named by an operator',
      'Assessments-2020-01-01T00-00-00-000Z-dddddd.jsonl': 'not ours either',
    };
    for (const [name, content] of Object.entries(others)) await writeFile(path.join(dir, name), content);

    const config = configWith({ BACKUP_KEEP: '2' });
    const first = (await runJob(app.assay.database.orm, config, backupJob(config), JobTrigger.CLI))!;
    expect(first.error).toBeNull();
    expect(first.status).toBe(JobRunStatus.SUCCEEDED);
    const written = first.details as { fileName: string; assessments: number; evidence: number; sha256: string; pruned: string[] };
    expect(written.assessments).toBe(await countAssessments(app));
    expect(written.evidence).toBe(await countEvidence(app));
    expect(first.rowsAffected).toBe(written.assessments + written.evidence);
    expect(written.pruned).toEqual([old[0]]);
    expect(await backupsIn(dir)).toEqual([old[1], written.fileName].sort());
    expect(await manifestOf(path.join(dir, written.fileName))).toMatchObject({ sha256: written.sha256, counts: { assessments: written.assessments } });

    // The mutation writes the same bytes from the same data: one export, two ways to ask for it.
    const viaMutation = (await app.gql(CreateBackupDocument, {}, { token: await app.login('admin@example.edu') })).data!.createBackup;
    const mutationFile = viaMutation.fileName;
    expect(viaMutation.sha256).toBe(written.sha256);
    expect((await readFile(path.join(dir, mutationFile), 'utf8')) === (await readFile(path.join(dir, written.fileName), 'utf8'))).toBe(true);

    const second = (await runJob(app.assay.database.orm, config, backupJob(config), JobTrigger.CLI))!;
    const again = second.details as { fileName: string; pruned: string[] };
    expect([...again.pruned].sort()).toEqual([old[1], written.fileName].sort());
    expect(await backupsIn(dir)).toEqual([mutationFile, again.fileName].sort());
    const left = await readdir(dir);
    for (const name of [...old, written.fileName]) expect(left).not.toContain(`${name}.manifest.json`);
    for (const [name, content] of Object.entries(others)) expect(await readFile(path.join(dir, name), 'utf8')).toBe(content);

    const audit = await sql<{ action: string; actor_kind: string; resource_type: string; details: Record<string, unknown> }>(
      app,
      `select action, actor_kind, resource_type, details from audit_logs where action in ('EXPORT', 'RETENTION_PURGE') order by seq`,
    );
    expect(audit.map((a) => [a.action, a.actor_kind, a.details.file ?? a.details.files])).toEqual([
      ['EXPORT', 'SYSTEM', written.fileName],
      ['RETENTION_PURGE', 'SYSTEM', [old[0]]],
      ['EXPORT', 'USER', mutationFile],
      ['EXPORT', 'SYSTEM', again.fileName],
      ['RETENTION_PURGE', 'SYSTEM', again.pruned],
    ]);
    expect(audit.filter((a) => a.action === 'EXPORT').every((a) => a.details.purpose === 'backup')).toBe(true);
    expect(audit.filter((a) => a.action === 'RETENTION_PURGE').every((a) => a.resource_type === 'Backup' && a.details.kept === 2)).toBe(true);

    const runs = await sql<{ status: string; trigger: string }>(app, `select status, trigger from job_runs where job_name = 'backup'`);
    expect(runs).toEqual([
      { status: 'SUCCEEDED', trigger: 'CLI' },
      { status: 'SUCCEEDED', trigger: 'CLI' },
    ]);
  });

  it('runs on BACKUP_SCHEDULE through the scheduler', async () => {
    const config = configWith({ BACKUP_SCHEDULE: '* * * * * *', BACKUP_KEEP: '5' });
    const scheduler = startScheduler(app.assay.database.orm, config, [backupJob(config)]);
    let runs: { status: string }[] = [];
    try {
      const deadline = Date.now() + 20_000;
      while (runs.length === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        runs = await sql(app, `select status from job_runs where job_name = 'backup' and trigger = 'SCHEDULE' and finished_at is not null`);
      }
    } finally {
      await scheduler.stop();
    }
    expect(runs[0]).toEqual({ status: 'SUCCEEDED' });
  }, 40_000);

  it('runs from the CLI with DATABASE_URL alone, and is listed (off when BACKUP_SCHEDULE=off)', async () => {
    const env = { BACKUP_DIR: dir, BACKUP_KEEP: '1' };
    const run = await runCliOn(app.db.url, ['jobs', 'run', 'backup'], env);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^Job backup SUCCEEDED in \d+ ms: \d+ row\(s\) affected/);
    expect(run.code).toBe(0);
    expect(await backupsIn(dir)).toHaveLength(1);

    const listed = await runCli(['jobs', 'list'], env);
    expect(listed.stdout).toMatch(/^backup\t30 2 \* \* \*\tWrites the assessment export createBackup writes to .* then deletes all but the newest 1 backups there$/m);
    expect((await runCli(['jobs', 'list'], { BACKUP_SCHEDULE: 'off' })).stdout).toMatch(/^backup\toff\t/m);
  }, 60_000);
});

describe('backup configuration', () => {
  it('refuses a BACKUP_SCHEDULE that is not a cron pattern and a BACKUP_KEEP below 1, naming the variable', async () => {
    expect(() => loadConfig({ BACKUP_SCHEDULE: 'daily' })).toThrow(/BACKUP_SCHEDULE must be a cron pattern such as "30 2 \* \* \*", or off \(got "daily"\)/);
    expect(() => loadConfig({ BACKUP_SCHEDULE: '61 2 * * *' })).toThrow(/BACKUP_SCHEDULE must be a cron pattern/);
    expect(() => loadConfig({ BACKUP_KEEP: '0' })).toThrow(/BACKUP_KEEP .*>=1/);
    expect(() => loadConfig({ BACKUP_KEEP: '2.5' })).toThrow(/BACKUP_KEEP/);
    expect(loadConfig({}).jobs.schedules.backup).toBe('30 2 * * *');
    expect(loadConfig({}).backupKeep).toBe(7);
    expect(loadConfig({ BACKUP_SCHEDULE: 'off' }).jobs.schedules.backup).toBeNull();

    const refused = await runCli(['jobs', 'list'], { BACKUP_SCHEDULE: 'every night' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^assay: Invalid configuration: BACKUP_SCHEDULE must be a cron pattern/);
  });
});

describe('assay backup list and verify', () => {
  let latest: string;

  beforeAll(async () => {
    await runCliOn(app.db.url, ['jobs', 'run', 'backup'], { BACKUP_DIR: dir, BACKUP_KEEP: '2' });
    [latest] = (await backupsIn(dir)).reverse();
  }, 60_000);

  it('lists the backups newest first with what their manifests say, and says which lack one', async () => {
    const orphan = 'assessments-2025-06-01T00-00-00-000Z-eeeeee.jsonl';
    await writeFile(path.join(dir, orphan), '{"x":1}\n');
    try {
      const listed = await runCli(['backup', 'list'], { BACKUP_DIR: dir });
      expect(listed.code).toBe(0);
      const lines = listed.stdout.trim().split('\n');
      expect(lines[0]).toBe(`3 backup(s) in ${dir}, newest first:`);
      expect(lines[1]).toMatch(/^file\s+created\s+assessments\s+evidence\s+bytes\s+sha256\s+manifest$/);
      const rows = lines.slice(2).map((l) => l.split(/\s{2,}/));
      const names = rows.map((r) => r[0]);
      expect(names).toEqual([...(await backupsIn(dir))].reverse());
      const manifest = await manifestOf(path.join(dir, latest));
      expect(rows[0]).toEqual([
        latest,
        expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
        String(manifest.counts.assessments),
        String(manifest.counts.evidence),
        String(manifest.bytes),
        manifest.sha256.slice(0, 12),
        'yes',
      ]);
      expect(rows[2]).toEqual([orphan, '2025-06-01T00:00:00.000Z', '-', '-', '8', '-', 'missing']);
    } finally {
      await rm(path.join(dir, orphan));
    }
    expect((await runCli(['backup', 'list'], { BACKUP_DIR: path.join(elsewhere, 'none') })).stdout).toBe(`No backups in ${path.join(elsewhere, 'none')}\n`);
  });

  it('verifies a backup by its bare name in BACKUP_DIR, and a copy by its path', async () => {
    const byName = await runCli(['backup', 'verify', latest], { BACKUP_DIR: dir });
    expect(byName.stderr).toBe('');
    expect(byName.stdout).toMatch(new RegExp(`^OK ${path.join(dir, latest)}: \\d+ assessments, \\d+ evidence, \\d+ bytes, SHA-256 [0-9a-f]{64}, as its manifest says\\n$`));
    expect(byName.code).toBe(0);

    // Kept elsewhere under another name, with its manifest beside it.
    const copy = path.join(elsewhere, 'monday.jsonl');
    await copyFile(path.join(dir, latest), copy);
    await copyFile(path.join(dir, `${latest}.manifest.json`), `${copy}.manifest.json`);
    const byPath = await runCli(['backup', 'verify', copy], { BACKUP_DIR: dir });
    expect(byPath.stdout).toMatch(/^OK .*monday\.jsonl: /);
    expect(byPath.code).toBe(0);
  });

  async function tampered(name: string, change: (text: string) => string): Promise<string> {
    const copy = path.join(elsewhere, name);
    await writeFile(copy, change(await readFile(path.join(dir, latest), 'utf8')));
    await copyFile(path.join(dir, `${latest}.manifest.json`), `${copy}.manifest.json`);
    return copy;
  }

  it('fails a file with one byte changed, naming the SHA-256 as the mismatch', async () => {
    // The first score's first decimal, changed to another digit: same size, same records.
    const copy = await tampered('one-byte.jsonl', (text) => text.replace(/"score":0\.(\d)/, (_m, d: string) => `"score":0.${d === '9' ? '8' : '9'}`));
    const manifest = await manifestOf(copy);
    const result = await runCli(['backup', 'verify', copy]);
    expect(result.code).toBe(2);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^MISMATCH sha256: the manifest says ${manifest.sha256}, the file has [0-9a-f]{64}$`)),
      expect.stringMatching(/^FAILED .*one-byte\.jsonl does not match its manifest/),
    ]);
  });

  it('fails a file with a line removed, naming the SHA-256, the size and both counts', async () => {
    const lines = (await readFile(path.join(dir, latest), 'utf8')).split('\n');
    const removed = JSON.parse(lines[3]) as { evidence: unknown[] };
    const copy = await tampered('line-removed.jsonl', () => [...lines.slice(0, 3), ...lines.slice(4)].join('\n'));
    const manifest = await manifestOf(copy);
    const result = await runCli(['backup', 'verify', copy]);
    expect(result.code).toBe(2);
    expect(result.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^MISMATCH sha256: /),
      `MISMATCH bytes: the manifest says ${manifest.bytes}, the file has ${manifest.bytes - Buffer.byteLength(lines[3]) - 1}`,
      `MISMATCH assessments: the manifest says ${manifest.counts.assessments}, the file has ${manifest.counts.assessments - 1}`,
      `MISMATCH evidence: the manifest says ${manifest.counts.evidence}, the file has ${manifest.counts.evidence - removed.evidence.length}`,
      expect.stringMatching(/^FAILED /),
    ]);
  });

  it('names a record that is no longer JSON, and refuses a file without a manifest or a missing file with one line', async () => {
    const cut = await tampered('cut.jsonl', (text) => text.slice(0, text.length - 30));
    const result = await runCli(['backup', 'verify', cut]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^UNREADABLE 1 record\(s\) are not JSON: line \d+$/m);

    await mkdir(path.join(elsewhere, 'bare'), { recursive: true });
    const bare = path.join(elsewhere, 'bare', 'no-manifest.jsonl');
    await copyFile(path.join(dir, latest), bare);
    const noManifest = await runCli(['backup', 'verify', bare]);
    expect(noManifest.code).toBe(1);
    expect(noManifest.stderr).toBe(`assay: manifest ${bare}.manifest.json not found\n`);

    const missing = await runCli(['backup', 'verify', 'assessments-nope.jsonl'], { BACKUP_DIR: dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`assay: export file ${path.join(dir, 'assessments-nope.jsonl')} not found\n`);
  });
});
