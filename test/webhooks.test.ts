import { Webhook as StandardWebhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it as base } from 'vitest';
import {
  ChangeWebhookDocument,
  CreateApiKeyDocument,
  DeliveriesOfDocument,
  MyWebhooksDocument,
  NewWebhookDocument,
  RemoveWebhookDocument,
} from './generated/graphql';
import type { Context } from '../src/context';
import { User } from '../src/entities';
import { createLoaders } from '../src/loaders';
import { canSeeWebhook, canSeeWebhookDelivery } from '../src/permissions/webhook.rules';
import { codeOf, gqlClient, startInstance, startTestApp, type TestApp } from './support/app';
import { attemptsOf, raiseFlag } from './support/flags';
import { startReceiver, type Received, type Receiver } from './support/webhook-receiver';

/*
 * Webhooks against a real receiver on 127.0.0.1: what it was sent, with which headers, and
 * the signature checked by the standardwebhooks package (an implementation of the
 * specification that is not Assay's).
 */
let app: TestApp;
let admin: string;

const ENV = { WEBHOOK_POLL_MS: '100', WEBHOOK_RETRY_SCHEDULE: '0,0,0', WEBHOOK_TIMEOUT_MS: '2000' };

beforeAll(async () => {
  app = await startTestApp(ENV);
  admin = await app.login('admin@example.edu');
});
afterAll(() => app?.stop());

const it = base.extend<{ receiver: Receiver }>({
  receiver: async ({ task: _task }, use) => {
    const receiver = await startReceiver();
    await use(receiver);
    await receiver.close();
  },
});

const create = (url: string, token: string, extra: Record<string, unknown> = {}) =>
  app.gql(NewWebhookDocument, { input: { url, description: 'test receiver', ...extra } }, { token });

const verified = (secret: string, r: Received) =>
  new StandardWebhook(secret).verify(r.body, {
    'webhook-id': String(r.headers['webhook-id']),
    'webhook-timestamp': String(r.headers['webhook-timestamp']),
    'webhook-signature': String(r.headers['webhook-signature']),
  }) as { seq: number; type: string; examId: string };

/** What the server has recorded for a webhook, newest first (written just after the receiver answered). */
const deliveriesOf = async (webhookId: string) =>
  (await app.gql(DeliveriesOfDocument, { webhookId }, { token: admin })).data!.webhookDeliveries.edges.map((e) => e.node);

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('managing webhooks', () => {
  it('an admin creates one and sees its secret once; a teacher session and a student key may not', async ({ receiver }) => {
    const created = await create(receiver.url, admin);
    expect(created.errors).toBeUndefined();
    const { secret, webhook } = created.data!.createWebhook;
    expect(secret).toMatch(/^whsec_/);
    expect(webhook).toMatchObject({ url: receiver.url, active: true, description: 'test receiver' });
    const listed = await app.gql(MyWebhooksDocument, {}, { token: admin });
    expect(listed.data!.webhooks.map((w) => w.id)).toContain(webhook.id);
    expect(JSON.stringify(listed)).not.toContain(secret);

    const teacher = await app.login('teacher1@example.edu');
    expect(codeOf(await create(receiver.url, teacher))).toBe('FORBIDDEN');
    const student = await app.login('student1@example.edu');
    const key = await app.gql(CreateApiKeyDocument, { input: { name: 'student hook', scopes: ['subscribe'] } }, { token: student });
    const refused = await app.gql(NewWebhookDocument, { input: { url: receiver.url } }, { apiKey: key.data?.createApiKey.key });
    expect(codeOf(refused)).toBe(key.data ? 'FORBIDDEN' : codeOf(key));
    expect(codeOf(await app.gql(MyWebhooksDocument, {}, { token: teacher }))).toBe('FORBIDDEN');
  });

  it("another owner's webhook is NOT_FOUND to a staff key: not listed, no deliveries, no changes", async ({ receiver }) => {
    const { webhook } = (await create(receiver.url, admin)).data!.createWebhook;
    const teacher = await app.login('teacher3@example.edu');
    const key = (await app.gql(CreateApiKeyDocument, { input: { name: 'other hooks', scopes: ['subscribe'] } }, { token: teacher })).data!.createApiKey.key;
    expect((await app.gql(MyWebhooksDocument, {}, { apiKey: key })).data!.webhooks.map((w) => w.id)).not.toContain(webhook.id);
    expect(codeOf(await app.gql(DeliveriesOfDocument, { webhookId: webhook.id }, { apiKey: key }))).toBe('NOT_FOUND');
    expect(codeOf(await app.gql(ChangeWebhookDocument, { id: webhook.id, input: { active: false } }, { apiKey: key }))).toBe('NOT_FOUND');
    expect(codeOf(await app.gql(RemoveWebhookDocument, { id: webhook.id }, { apiKey: key }))).toBe('NOT_FOUND');
    expect((await app.gql(MyWebhooksDocument, {}, { token: admin })).data!.webhooks.find((w) => w.id === webhook.id)).toMatchObject({ active: true });
  });

  it('refuses URLs that are not http(s) or carry credentials, naming the field', async () => {
    for (const url of ['ftp://example.org/x', 'https://user:pw@example.org/x', 'not a url']) {
      const refused = await create(url, admin);
      expect(codeOf(refused)).toBe('BAD_USER_INPUT');
      expect(refused.errors![0].message).toMatch(/url/);
    }
  });

  it('a paused webhook receives nothing and resumes where it was; a deleted one is gone', async ({ receiver }) => {
    const { webhook } = (await create(receiver.url, admin)).data!.createWebhook;
    await app.gql(ChangeWebhookDocument, { id: webhook.id, input: { active: false } }, { token: admin });
    const [attempt] = await attemptsOf(app, 'teacher1', 1);
    const seq = await raiseFlag(app, attempt.id);
    await pause(500);
    expect(receiver.received).toEqual([]);
    await app.gql(ChangeWebhookDocument, { id: webhook.id, input: { active: true } }, { token: admin });
    expect((await receiver.until(1))[0].seq).toBe(seq);
    expect((await app.gql(RemoveWebhookDocument, { id: webhook.id }, { token: admin })).data!.deleteWebhook).toBe(true);
    expect(codeOf(await app.gql(DeliveriesOfDocument, { webhookId: webhook.id }, { token: admin }))).toBe('NOT_FOUND');
  });
});

describe('delivery', () => {
  it('a receiver that fails twice gets the event on the third try, signed, and exactly once after acknowledging', async ({ receiver }) => {
    const { webhook, secret } = (await create(receiver.url, admin)).data!.createWebhook;
    receiver.answers = [500, 503];
    const [attempt] = await attemptsOf(app, 'teacher1', 1);
    const seq = await raiseFlag(app, attempt.id);
    const tries = await receiver.until(3);
    expect(tries.map((t) => t.seq)).toEqual([seq, seq, seq]);
    expect(tries.every((t) => t.headers['webhook-id'] === `flag-${seq}`)).toBe(true);
    expect(verified(secret, tries[2])).toMatchObject({ type: 'student.flagged', seq, examId: attempt.examId });
    expect(() => verified(`whsec_${Buffer.from('another key of 32 bytes, really!').toString('base64')}`, tries[2])).toThrow();
    await pause(500);
    expect(receiver.received).toHaveLength(3);
    await expect.poll(() => deliveriesOf(webhook.id)).toEqual([expect.objectContaining({ seq, status: 'DELIVERED', tries: 3, lastStatusCode: 200 })]);
  });

  it('events go in order, and one the receiver never takes is given up after the schedule so the next goes', async ({ receiver }) => {
    const { webhook } = (await create(receiver.url, admin)).data!.createWebhook;
    receiver.answers = [500, 500, 500, 500];
    const attempts = await attemptsOf(app, 'teacher1', 2);
    const first = await raiseFlag(app, attempts[0].id);
    const second = await raiseFlag(app, attempts[1].id);
    const got = await receiver.until(5);
    expect(got.map((r) => r.seq)).toEqual([first, first, first, first, second]);
    await expect.poll(() => deliveriesOf(webhook.id).then((d) => d.map((n) => [n.seq, n.status, n.tries]))).toEqual([
      [second, 'DELIVERED', 1],
      [first, 'FAILED', 4],
    ]);
  });

  it("receives only what its owner could query: a teacher's key gets flags of that teacher's exams", async ({ receiver }) => {
    const teacher = await app.login('teacher2@example.edu');
    const key = (await app.gql(CreateApiKeyDocument, { input: { name: 'hooks', scopes: ['subscribe'] } }, { token: teacher })).data!.createApiKey.key;
    const created = await app.gql(NewWebhookDocument, { input: { url: receiver.url } }, { apiKey: key });
    expect(created.errors).toBeUndefined();
    const [other] = await attemptsOf(app, 'teacher1', 1);
    const [own] = await attemptsOf(app, 'teacher2', 1);
    await raiseFlag(app, other.id);
    const mine = await raiseFlag(app, own.id);
    expect((await receiver.until(1)).map((r) => r.seq)).toEqual([mine]);
    await pause(400);
    expect(receiver.received).toHaveLength(1);
  });
});

describe('across restarts and instances', () => {
  it('a restart in the middle of a retry loses nothing, and two instances never send one event twice at once', async ({ receiver }) => {
    const env = { ...ENV, WEBHOOK_RETRY_SCHEDULE: '1' };
    const first = await startInstance(app.db.url, env);
    const created = await gqlClient(first.url)(NewWebhookDocument, { input: { url: receiver.url } }, { token: admin });
    const { webhook } = created.data!.createWebhook;
    receiver.answers = [500];
    const [attempt] = await attemptsOf(app, 'teacher3', 1);
    const seq = await raiseFlag(app, attempt.id);
    await receiver.until(1);
    await first.stop();

    receiver.delayMs = 300;
    const [a, b] = await Promise.all([startInstance(app.db.url, env), startInstance(app.db.url, env)]);
    try {
      const got = await receiver.until(2);
      await pause(1500);
      expect(got.map((r) => r.seq)).toEqual([seq, seq]);
      expect(receiver.received).toHaveLength(2);
      expect(receiver.busy.most).toBe(1);
      await expect.poll(() => deliveriesOf(webhook.id)).toEqual([expect.objectContaining({ seq, status: 'DELIVERED', tries: 2 })]);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});

describe('the webhook and delivery row rules', () => {
  base('answer from the one predicate: an admin every webhook and delivery, anyone else their own', async () => {
    const em = app.assay.database.orm.em.fork();
    const [teacher1, teacher2, admin] = await Promise.all(['teacher1', 'teacher2', 'admin'].map((username) => em.findOneOrFail(User, { username })));
    const verdict = (rule: typeof canSeeWebhook, row: object, viewer: User) => {
      const ctx = { em, viewer: { user: viewer, via: 'apiKey', scopes: new Set(['subscribe']), cohortsTaught: [] }, loaders: createLoaders(em), visibleRows: new WeakSet() } as Partial<Context>;
      return rule.resolve(row, {}, { ...ctx, _shield: { cache: {} } }, {} as never, { debug: true } as never);
    };
    for (const rule of [canSeeWebhook, canSeeWebhookDelivery]) {
      const row = { ownerId: teacher1.id };
      expect(await Promise.all([teacher1, teacher2, admin].map((viewer) => verdict(rule, row, viewer)))).toEqual([true, false, true]);
    }
  });
});
