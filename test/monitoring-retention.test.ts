import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateExamDocument, PublishExamDocument, RecordEventsDocument, StartExamAttemptDocument } from './generated/graphql';
import { startTestApp, type TestApp } from './support/app';
import { runCliOn } from './support/cli';
import { examInput } from './support/exams';

/**
 * Three attempts with events: one started in May 2024 and one in June 2024 (both long past
 * the 90 days), one now. Retention must archive and drop exactly the two old months.
 */
let app: TestApp;
let archiveDir: string;

const partitions = async () =>
  (await app.db.sql(`select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
                      where i.inhparent = 'monitoring_events'::regclass order by 1`)).map((r) => r.name as string);

beforeAll(async () => {
  app = await startTestApp();
  archiveDir = await mkdtemp(path.join(os.tmpdir(), 'assay-archive-'));
  const teacher = await app.login('teacher1@example.edu');
  const examId = (await app.gql(CreateExamDocument, { input: examInput({ maxAttempts: 5 }) }, { token: teacher })).data!.createExam.id;
  await app.gql(PublishExamDocument, { id: examId }, { token: teacher });
  const record = async (email: string, startedAt: Date | null, count: number) => {
    const token = await app.login(email);
    const attemptId = (await app.gql(StartExamAttemptDocument, { examId }, { token })).data!.startAttempt.id;
    if (startedAt) await app.db.sql(`update exam_attempts set started_at = '${startedAt.toISOString()}', created_at = '${startedAt.toISOString()}' where id = '${attemptId}'`);
    for (let from = 0; from < count; from += 1000) {
      const events = Array.from({ length: Math.min(1000, count - from) }, (_, i) => ({
        eventId: `e${from + i}`,
        eventType: 'gaze',
        clientTimestamp: new Date().toISOString(),
        payload: { i: from + i },
      }));
      const result = await app.gql(RecordEventsDocument, { attemptId, events }, { token });
      expect(result.data!.recordMonitoringEvents.accepted).toBe(events.length);
    }
  };
  await record('student1@example.edu', new Date(Date.UTC(2024, 4, 20)), 7);
  await record('student6@example.edu', new Date(Date.UTC(2024, 5, 3)), 12_000);
  await record('student11@example.edu', null, 4);
});
afterAll(async () => {
  await app?.stop();
  await rm(archiveDir, { recursive: true, force: true });
});

describe('monitoring retention', () => {
  it('a dry run says what it would drop and changes nothing', async () => {
    const before = await partitions();
    const dry = await runCliOn(app.db.url, ['monitoring', 'prune', '--dry-run'], { ARCHIVE_DIR: archiveDir });
    expect(dry.stderr).toBe('');
    expect(dry.stdout).toMatch(/monitoring_events_p202405 \(2024-05\): 7 rows, would drop/);
    expect(dry.stdout).toMatch(/monitoring_events_p202406 \(2024-06\): 12000 rows, would drop/);
    expect(await partitions()).toEqual(before);
  });

  it('archives each old month with a manifest, then drops exactly those partitions, audited', async () => {
    const before = await partitions();
    const [{ total }] = await app.db.sql(`select count(*)::int as total from monitoring_events`);
    const eventsVersion = async () => (await app.db.sql(`select coalesce(sum(version), 0)::int as v from table_versions where table_name = 'monitoring_events'`))[0].v as number;
    const versionBefore = await eventsVersion();
    const pruned = await runCliOn(app.db.url, ['monitoring', 'prune'], { ARCHIVE_DIR: archiveDir });
    expect(pruned.code, pruned.stderr).toBe(0);
    // No trigger sees a dropped partition: each drop counts as a write of monitoring_events, for the response cache.
    expect(await eventsVersion()).toBe(versionBefore + 2);
    expect(pruned.stdout).toMatch(/monitoring_events_p202406 \(2024-06\): 12000 rows, dropped \(monitoring_events_p202406\.jsonl\.gz\)/);
    expect(await partitions()).toEqual(before.filter((p) => p !== 'monitoring_events_p202405' && p !== 'monitoring_events_p202406'));
    // Only the two old months went: this month's events (the demo's and ours) are all there.
    const [{ n }] = await app.db.sql(`select count(*)::int as n from monitoring_events`);
    expect(n).toBe(Number(total) - 12_007);

    const file = path.join(archiveDir, 'monitoring_events_p202406.jsonl.gz');
    const manifest = JSON.parse(await readFile(`${file}.manifest.json`, 'utf8'));
    const gz = await readFile(file);
    expect(manifest).toMatchObject({ kind: 'assay.monitoring-archive', partition: 'monitoring_events_p202406', rows: 12_000, bytes: gz.length });
    expect(createHash('sha256').update(gz).digest('hex')).toBe(manifest.sha256);
    const lines = gunzipSync(gz).toString('utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(12_000);
    expect(new Set(lines.map((l) => l.event_id)).size).toBe(12_000);
    expect(lines[0]).toMatchObject({ event_type: 'gaze', payload: { i: expect.any(Number) } });

    const audit = await app.db.sql(`select action, resource_id from audit_logs where action in ('MONITORING_ARCHIVED', 'MONITORING_PRUNED') order by seq`);
    expect(audit.map((a) => `${String(a.action)} ${String(a.resource_id)}`)).toEqual([
      'MONITORING_ARCHIVED monitoring_events_p202405',
      'MONITORING_PRUNED monitoring_events_p202405',
      'MONITORING_ARCHIVED monitoring_events_p202406',
      'MONITORING_PRUNED monitoring_events_p202406',
    ]);
    const again = await runCliOn(app.db.url, ['monitoring', 'prune'], { ARCHIVE_DIR: archiveDir });
    expect(again.stdout).toMatch(/No monitoring partition is older than 90 days/);
  });
});
