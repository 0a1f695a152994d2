import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { RESTART_BACKOFF_MS } from '../../src/db/embedded';
import { ApplyToQuestDocument, ApproveApplicationDocument, CreateQuestDocument, NewWebhookDocument, RecordEventsDocument, SaveAnalysisDocument } from '../generated/graphql';
import type { GqlResult } from '../support/app';
import { runCli } from '../support/cli';
import { startEmbeddedAssay, type EmbeddedAssay } from '../support/embedded-assay';
import { AUDIT_CHAIN, holdLock } from '../support/mid-write';
import { attemptInProgress, criticalEvents } from '../support/proctoring';
import { until } from '../support/subscriptions';
import { startReceiver } from '../support/webhook-receiver';

/*
 * PostgreSQL SIGKILLed in the middle of each multi-row write, on the embedded default's own
 * server: the test holds a lock the write takes late, waits until the write has written rows
 * and waits on it, then kills the postmaster. Assay must answer with a clear error, report
 * itself unready, restart its PostgreSQL, and be left with nothing half-written.
 */
const it = test.extend<{ assay: EmbeddedAssay }>({
  assay: [
    async ({}, use) => {
      const assay = await startEmbeddedAssay({ WEBHOOK_POLL_MS: '100', WEBHOOK_TIMEOUT_MS: '1000', WEBHOOK_RETRY_SCHEDULE: '0' });
      await use(assay);
      expect(await assay.stop()).toBe(0);
    },
    { scope: 'file' },
  ],
});

const scratch = mkdtemp(path.join(os.tmpdir(), 'assay-outage-'));
afterAll(async () => rm(await scratch, { recursive: true, force: true }));

/** A student's profile row: analyses and flagging events update it after their own rows. */
const PROFILE = 'select 1 from student_profiles where user_id = $1 for update';

/**
 * Runs `write` while the test holds `lock`, kills PostgreSQL once the write has written and
 * waits, and returns the write's outcome with every /readyz status until it answered 200.
 */
async function killedMidWrite<T>(assay: EmbeddedAssay, lock: { sql: string; params?: unknown[] }, write: () => Promise<T>) {
  const held = await holdLock(assay.databaseUrl, lock.sql, lock.params);
  try {
    const outcome = write();
    expect(await held.writerWaiting()).toEqual({ wrote: true });
    await assay.killPostgres();
    const result = await outcome;
    return { result, readyz: await assay.readyAgain(60_000) };
  } finally {
    await held.release();
  }
}

function expectUnavailable(result: GqlResult<unknown>, readyz: number[]) {
  expect(result.status).toBe(503);
  expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  expect(readyz).toContain(503);
  expect(readyz.at(-1)).toBe(200);
}

const userIdOf = async (assay: EmbeddedAssay, username: string) =>
  (await assay.sql<{ id: string }>('select id from users where username = $1', [username]))[0].id;

describe('PostgreSQL killed in the middle of a write', () => {
  it('an approval: SERVICE_UNAVAILABLE with a request id, /readyz 503 until it is back, then nothing of it stored', async ({ assay }) => {
    const teacher = await assay.login('teacher1@example.edu');
    const quest = await assay.gql(CreateQuestDocument, { input: { title: `Outage quest ${Math.random()}`, maxParticipants: 3 } }, { token: teacher });
    const questId = quest.data!.createQuest.id;
    const applied = await assay.gql(ApplyToQuestDocument, { questId }, { token: await assay.login('student1@example.edu') });
    const applicationId = applied.data!.applyToQuest.id;

    const { result, readyz } = await killedMidWrite(assay, { sql: AUDIT_CHAIN }, () => assay.gql(ApproveApplicationDocument, { id: applicationId }, { token: teacher }));
    expectUnavailable(result, readyz);

    expect(await assay.sql('select status from quest_applications where id = $1', [applicationId])).toEqual([{ status: 'PENDING' }]);
    expect(await assay.sql('select status from quests where id = $1', [questId])).toEqual([{ status: 'OPEN' }]);
    expect(await assay.sql('select 1 from quest_participants where quest_id = $1', [questId])).toEqual([]);
    expect(await assay.sql(`select 1 from audit_logs where action = 'APPROVE_APPLICATION' and resource_id = $1`, [applicationId])).toEqual([]);

    // The embedded default restarts its own PostgreSQL, and says so.
    expect(assay.served.output()).toMatch(/embedded PostgreSQL exited unexpectedly; restarting it[\s\S]*embedded PostgreSQL restarted/);

    const retried = await assay.gql(ApproveApplicationDocument, { id: applicationId }, { token: teacher });
    expect(retried.data?.approveApplication).toMatchObject({ status: 'APPROVED', quest: { participantCount: 1 } });
  });

  it('an import batch: the CLI fails naming the outage, nothing of the batch stays, a re-run with --on-duplicate skip completes', async ({ assay }) => {
    const file = path.join(await scratch, 'assessments.jsonl');
    const env = { DATABASE_URL: assay.databaseUrl };
    expect((await runCli(['export', '--output', file], env)).code).toBe(0);
    const manifest = JSON.parse(await readFile(`${file}.manifest.json`, 'utf8')) as { counts: { assessments: number; evidence: number } };
    await assay.sql('delete from skill_assessments');

    const { result: run, readyz } = await killedMidWrite(assay, { sql: AUDIT_CHAIN }, () => runCli(['import', '--input', file, '--on-duplicate', 'error'], env));
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/database is unavailable/i);
    expect(readyz).toContain(503);
    expect(await assay.sql('select count(*)::int as n from skill_assessments')).toEqual([{ n: 0 }]);

    const rerun = await runCli(['import', '--input', file, '--on-duplicate', 'skip'], env);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toContain(`inserted ${manifest.counts.assessments}, updated 0, skipped 0, rejected 0; ${manifest.counts.evidence} evidence rows`);
  });

  it('an analysis save: no analysis row and the attempt as it was; saving again works', async ({ assay }) => {
    const admin = await assay.login('admin@example.edu');
    const [attempt] = await assay.sql<{ id: string; student_id: string; integrity_score: string | null }>(
      `select a.id, a.student_id, a.integrity_score from exam_attempts a
        where not exists (select 1 from behavior_analyses b where b.attempt_id = a.id) order by a.id limit 1`,
    );
    const input = { attemptId: attempt.id, integrityScore: 0.12, requiresInstructorAttention: true, llmSummary: 'written during an outage' };

    const { result, readyz } = await killedMidWrite(assay, { sql: PROFILE, params: [attempt.student_id] }, () => assay.gql(SaveAnalysisDocument, { input }, { token: admin }));
    expectUnavailable(result, readyz);
    expect(await assay.sql('select 1 from behavior_analyses where attempt_id = $1', [attempt.id])).toEqual([]);
    expect(await assay.sql('select integrity_score from exam_attempts where id = $1', [attempt.id])).toEqual([{ integrity_score: attempt.integrity_score }]);

    expect((await assay.gql(SaveAnalysisDocument, { input }, { token: admin })).data?.saveBehaviorAnalysis).toMatchObject({ integrityScore: 0.12 });
  });

  it('an event batch: no event and no flag stored; the client’s resend is accepted whole', async ({ assay }) => {
    const { attemptId, student } = await attemptInProgress(assay);
    const studentId = await userIdOf(assay, 'student1');
    const [head] = await assay.sql<{ seq: string }>('select seq from student_flag_log_head');
    const events = criticalEvents('outage');

    const { result, readyz } = await killedMidWrite(assay, { sql: PROFILE, params: [studentId] }, () => assay.gql(RecordEventsDocument, { attemptId, events }, { token: student }));
    expectUnavailable(result, readyz);
    expect(await assay.sql('select 1 from monitoring_events where attempt_id = $1', [attemptId])).toEqual([]);
    expect(await assay.sql('select seq from student_flag_log_head')).toEqual([head]);

    const resent = await assay.gql(RecordEventsDocument, { attemptId, events }, { token: student });
    expect(resent.data?.recordMonitoringEvents).toMatchObject({ accepted: 2, duplicates: 0, flagged: 1 });
  });

  it('a webhook delivery under lease: the lease outlives the outage, the flag is sent again and recorded once', async ({ assay }) => {
    const receiver = await startReceiver();
    try {
      const admin = await assay.login('admin@example.edu');
      const created = await assay.gql(NewWebhookDocument, { input: { url: receiver.url } }, { token: admin });
      const webhookId = created.data!.createWebhook.webhook.id;
      const { attemptId, student } = await attemptInProgress(assay);
      // The receiver answers the first delivery (within WEBHOOK_TIMEOUT_MS) only once PostgreSQL
      // is dead and before it can be back (its first restart waits RESTART_BACKOFF_MS.first):
      // the answer cannot be recorded.
      receiver.delayMs = RESTART_BACKOFF_MS.first - 100;
      const recorded = await assay.gql(RecordEventsDocument, { attemptId, events: criticalEvents('hook') }, { token: student });
      expect(recorded.data?.recordMonitoringEvents).toMatchObject({ flagged: 1 });
      const [{ seq }] = await receiver.until(1);
      receiver.delayMs = 0;
      await assay.killPostgres();
      expect(await assay.readyAgain(60_000)).toContain(503);

      const delivery = () => assay.sql('select status, tries from webhook_deliveries where webhook_id = $1', [webhookId]);
      await until(async () => (await delivery()).length > 0, 30_000, () => `the delivery of seq ${seq} to be recorded`);
      expect(await delivery()).toEqual([{ status: 'DELIVERED', tries: 1 }]);
      expect(receiver.received.map((r) => r.seq)).toEqual([seq, seq]);
      expect(await assay.sql('select cursor::int from webhooks where id = $1', [webhookId])).toEqual([{ cursor: seq }]);
    } finally {
      await receiver.close();
    }
  });
});
