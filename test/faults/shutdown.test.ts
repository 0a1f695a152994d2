import { afterEach, describe, expect, it } from 'vitest';
import { ApplyToQuestDocument, ApproveApplicationDocument, CreateQuestDocument, FlagFeedDocument, NewWebhookDocument, RecordEventsDocument } from '../generated/graphql';
import { gqlClient, loginWith } from '../support/app';
import { serveCli, type Served } from '../support/cli';
import { TEST_JWT_SECRET } from '../support/constants';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { AUDIT_CHAIN, holdLock } from '../support/mid-write';
import { attemptInProgress, criticalEvents } from '../support/proctoring';
import { subscribe } from '../support/subscriptions';
import { startReceiver, type Receiver } from '../support/webhook-receiver';

/*
 * SIGTERM with work in flight: a request waiting on a lock, a webhook delivery waiting on
 * its receiver, a subscriber. What finishes within SHUTDOWN_TIMEOUT_SECONDS is completed and
 * recorded, what does not is cut off and left for another instance, and the process exits 0.
 */
const SHUTDOWN_TIMEOUT_SECONDS = 3;
/** serve.ts's margin for closing the pool and Redis after the timeout. */
const CLOSE_MARGIN_MS = 10_000;

let db: TestDatabase | undefined;
let receiver: Receiver | undefined;
afterEach(async () => {
  await receiver?.close();
  await db?.drop();
});

async function start() {
  db = await createTestDatabase();
  receiver = await startReceiver();
  const port = String(21_000 + Math.floor(Math.random() * 4000));
  const served = await serveCli({
    DATABASE_URL: db.url,
    JWT_SECRET: TEST_JWT_SECRET,
    PORT: port,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    SHUTDOWN_TIMEOUT_SECONDS: String(SHUTDOWN_TIMEOUT_SECONDS),
    WEBHOOK_POLL_MS: '100',
    WEBHOOK_TIMEOUT_MS: '20000',
    JOBS_ENABLED: 'false',
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  const gql = gqlClient(url);
  const server = { url, gql, login: loginWith(gql) };
  const admin = await server.login('admin@example.edu');
  const teacher = await server.login('teacher1@example.edu');
  const webhookId = (await gql(NewWebhookDocument, { input: { url: receiver.url } }, { token: admin })).data!.createWebhook.webhook.id;
  const quest = await gql(CreateQuestDocument, { input: { title: `Shutdown ${Math.random()}`, maxParticipants: 2 } }, { token: teacher });
  const applied = await gql(ApplyToQuestDocument, { questId: quest.data!.createQuest.id }, { token: await server.login('student1@example.edu') });
  return { served, server, teacher, webhookId, applicationId: applied.data!.applyToQuest.id };
}

/** SIGTERM; resolves with the exit code and how long the stop took. */
async function terminate(served: Served) {
  const started = Date.now();
  const code = await served.stop();
  return { code, ms: Date.now() - started };
}

describe('SIGTERM', () => {
  it('lets a request, a delivery and subscriptions in flight finish or close cleanly, releases nothing half-done, and exits 0', async () => {
    const { served, server, teacher, webhookId, applicationId } = await start();
    const stream = subscribe(server.url, FlagFeedDocument, {}, { authorization: `Bearer ${teacher}` });
    await stream.connected;
    const { attemptId, student } = await attemptInProgress(server);
    const lock = await holdLock(db!.url, AUDIT_CHAIN);
    const approval = server.gql(ApproveApplicationDocument, { id: applicationId }, { token: teacher });
    await lock.writerWaiting();
    receiver!.delayMs = 1000;
    await server.gql(RecordEventsDocument, { attemptId, events: criticalEvents('term') }, { token: student });
    await receiver!.until(1);

    const stopping = terminate(served);
    setTimeout(() => void lock.release(), 1000);
    const approved = await approval;
    expect(approved.errors).toBeUndefined();
    expect(approved.data?.approveApplication.status).toBe('APPROVED');
    const { code, ms } = await stopping;
    expect(code).toBe(0);
    expect(ms).toBeLessThan(SHUTDOWN_TIMEOUT_SECONDS * 1000 + CLOSE_MARGIN_MS);
    expect(served.output()).toMatch(/"msg":"shut down"/);

    const closed = await stream.closed;
    expect(closed.code).toBe(1001);
    expect(closed.reason).not.toBe('');
    // The delivery finished within the grace: recorded, and its lease given back.
    expect(await db!.sql(`select status from webhook_deliveries where webhook_id = '${webhookId}'`)).toEqual([{ status: 'DELIVERED' }]);
    expect(await db!.sql(`select lease_token from webhooks where id = '${webhookId}'`)).toEqual([{ lease_token: null }]);
  });

  it('cuts off what outlives SHUTDOWN_TIMEOUT_SECONDS: the request is not half-written, the lease is released for another instance', async () => {
    const { served, server, teacher, webhookId, applicationId } = await start();
    const { attemptId, student } = await attemptInProgress(server);
    const lock = await holdLock(db!.url, AUDIT_CHAIN);
    const approval = server.gql(ApproveApplicationDocument, { id: applicationId }, { token: teacher }).catch((error: unknown) => error);
    await lock.writerWaiting();
    receiver!.delayMs = 60_000;
    await server.gql(RecordEventsDocument, { attemptId, events: criticalEvents('late') }, { token: student });
    await receiver!.until(1);
    const [{ cursor }] = await db!.sql(`select cursor from webhooks where id = '${webhookId}'`);

    const { code, ms } = await terminate(served);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(SHUTDOWN_TIMEOUT_SECONDS * 1000 + CLOSE_MARGIN_MS);
    expect(await approval).toBeInstanceOf(Error);
    expect(served.output()).toContain('cancelled statements still running at shutdown');
    await lock.release();

    expect(await db!.sql(`select status from quest_applications where id = '${applicationId}'`)).toEqual([{ status: 'PENDING' }]);
    expect(await db!.sql(`select cursor, lease_token, tries from webhooks where id = '${webhookId}'`)).toEqual([{ cursor, lease_token: null, tries: 0 }]);
    expect(await db!.sql(`select 1 from webhook_deliveries where webhook_id = '${webhookId}'`)).toEqual([]);
  });
});
