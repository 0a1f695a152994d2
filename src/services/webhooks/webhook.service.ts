import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import { managesWebhooks, webhookVisibleSql } from '../../permissions/webhook.scope';
import { AuditAction } from '../../entities/audit-action';
import { badInput, forbidden, notFound } from '../../errors';
import type { Page } from '../../types/connection';
import type { Webhook, WebhookDelivery, WebhookDeliveryStatus } from '../../types/webhook.types';
import { appendAudit, type AuditSource } from '../audit.service';
import { existingId } from '../exams/ids';
import type { FlagStreamFilter } from '../flags/flag-stream';
import { decodeSeqCursor, encodeSeqCursor, pageSize, toPage, type PageArgs } from '../pagination';
import { newWebhookSecret } from './signature';
import { checkedWebhookUrl } from './webhook-url';

export interface WebhookChanges {
  url?: string;
  filter?: FlagStreamFilter;
  description?: string;
  active?: boolean;
}

interface WebhookRow {
  id: string;
  owner_id: string;
  url: string;
  description: string | null;
  filter: FlagStreamFilter;
  active: boolean;
  cursor: string;
  created_at: Date;
  updated_at: Date;
}

const toWebhook = (r: WebhookRow): Webhook => ({
  id: r.id,
  ownerId: r.owner_id,
  url: r.url,
  description: r.description,
  filter: { examId: r.filter.examId ?? null, cohort: r.filter.cohort ?? null, minSeverity: r.filter.minSeverity ?? null },
  active: r.active,
  lastSeq: Number(r.cursor),
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
});

const COLUMNS = 'id, owner_id, url, description, filter, active, cursor, created_at, updated_at';

/** Only what was given: an absent filter field is no condition. */
const filterJson = (filter: FlagStreamFilter | undefined) =>
  JSON.stringify(Object.fromEntries(Object.entries(filter ?? {}).filter(([, v]) => v != null)));

/**
 * Webhooks: made by an admin, or through an API key with `subscribe` of a staff account, and
 * then acting with the owner's rights; their owners and admins manage them.
 */
export class WebhookService {
  constructor(private readonly options: { allowPrivateUrls: boolean }) {}

  private mayManage(viewer: Viewer): void {
    if (managesWebhooks(viewer)) return;
    throw forbidden('Webhooks are managed by admins, or through an API key with the subscribe scope of a staff account');
  }

  /** The webhook if the viewer may manage it; NOT_FOUND otherwise, as for one that does not exist. */
  private async owned(em: EntityManager, viewer: Viewer, id: string, lock = false): Promise<WebhookRow> {
    this.mayManage(viewer);
    existingId(id, 'Webhook');
    const visible = webhookVisibleSql(viewer, 'w');
    const [row] = await em.execute<WebhookRow[]>(
      `select ${COLUMNS} from webhooks w where w.id = ? and ${visible.sql}${lock ? ' for update' : ''}`,
      [id, ...visible.params],
    );
    if (!row) throw notFound('Webhook');
    return row;
  }

  /** Starts at the log's head: a new webhook receives the flags raised from now on. */
  async create(em: EntityManager, viewer: Viewer, audit: AuditSource, input: WebhookChanges & { url: string }): Promise<{ webhook: Webhook; secret: string }> {
    this.mayManage(viewer);
    const url = checkedWebhookUrl(input.url, this.options.allowPrivateUrls);
    const secret = newWebhookSecret();
    return em.transactional(async (tx) => {
      const [row] = await tx.execute<WebhookRow[]>(
        `insert into webhooks (owner_id, url, description, filter, secret, cursor)
         values (?, ?, ?, ?::jsonb, ?, (select seq from student_flag_log_head)) returning ${COLUMNS}`,
        [viewer.user.id, url, input.description ?? null, filterJson(input.filter), secret],
      );
      await appendAudit(tx, audit, { action: AuditAction.WEBHOOK_CREATED, resourceType: 'Webhook', resourceId: row.id, details: { url, filter: row.filter } });
      return { webhook: toWebhook(row), secret };
    });
  }

  async list(em: EntityManager, viewer: Viewer): Promise<Webhook[]> {
    this.mayManage(viewer);
    const visible = webhookVisibleSql(viewer, 'w');
    const rows = await em.execute<WebhookRow[]>(`select ${COLUMNS} from webhooks w where ${visible.sql} order by created_at, id`, visible.params);
    return rows.map(toWebhook);
  }

  async update(em: EntityManager, viewer: Viewer, audit: AuditSource, id: string, changes: WebhookChanges): Promise<Webhook> {
    if (Object.values(changes).every((v) => v === undefined)) throw badInput('Give at least one of url, filter, description, active');
    const url = changes.url === undefined ? undefined : checkedWebhookUrl(changes.url, this.options.allowPrivateUrls);
    return em.transactional(async (tx) => {
      await this.owned(tx, viewer, id, true);
      const [row] = await tx.execute<WebhookRow[]>(
        `update webhooks set url = coalesce(?, url), description = coalesce(?, description),
                filter = coalesce(?::jsonb, filter), active = coalesce(?, active), updated_at = now()
          where id = ? returning ${COLUMNS}`,
        [url ?? null, changes.description ?? null, changes.filter ? filterJson(changes.filter) : null, changes.active ?? null, id],
      );
      await appendAudit(tx, audit, { action: AuditAction.WEBHOOK_UPDATED, resourceType: 'Webhook', resourceId: id, details: { url: row.url, filter: row.filter, active: row.active } });
      return toWebhook(row);
    });
  }

  async remove(em: EntityManager, viewer: Viewer, audit: AuditSource, id: string): Promise<boolean> {
    return em.transactional(async (tx) => {
      const row = await this.owned(tx, viewer, id, true);
      await tx.execute('delete from webhooks where id = ?', [id]);
      await appendAudit(tx, audit, { action: AuditAction.WEBHOOK_DELETED, resourceType: 'Webhook', resourceId: id, details: { url: row.url } });
      return true;
    });
  }

  /** A webhook's deliveries, newest first. */
  async deliveries(em: EntityManager, viewer: Viewer, webhookId: string, args: PageArgs): Promise<Page<WebhookDelivery>> {
    const webhook = await this.owned(em, viewer, webhookId);
    const first = pageSize(args);
    const after = decodeSeqCursor(args.after);
    const rows = await em.execute<{ seq: string; status: WebhookDeliveryStatus; tries: number; last_status_code: number | null; last_error: string | null; first_tried_at: Date; last_tried_at: Date; delivered_at: Date | null }[]>(
      `select seq, status, tries, last_status_code, last_error, first_tried_at, last_tried_at, delivered_at
         from webhook_deliveries where webhook_id = ?${after !== null ? ' and seq < ?' : ''} order by seq desc limit ?`,
      [webhookId, ...(after !== null ? [after] : []), first + 1],
    );
    const deliveries = rows.map((r) => ({
      webhookId,
      ownerId: webhook.owner_id,
      seq: Number(r.seq),
      status: r.status,
      tries: r.tries,
      lastStatusCode: r.last_status_code,
      lastError: r.last_error,
      firstTriedAt: new Date(r.first_tried_at),
      lastTriedAt: new Date(r.last_tried_at),
      deliveredAt: r.delivered_at ? new Date(r.delivered_at) : null,
    }));
    const count = async () => Number((await em.execute<{ n: string }[]>('select count(*) as n from webhook_deliveries where webhook_id = ?', [webhookId]))[0].n);
    return toPage(deliveries, first, after !== null, (d) => encodeSeqCursor(d.seq), count);
  }
}
