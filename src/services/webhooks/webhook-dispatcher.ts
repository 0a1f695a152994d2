import type { MikroORM } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import { User } from '../../entities';
import type { FlagReason, MonitoringSeverity } from '../../entities/monitoring-enums';
import { logger } from '../../logger';
import { examVisibleSql } from '../../permissions/exam.scope';
import { encodeFlagCursor, flagMatches, type FlagStreamFilter } from '../flags/flag-stream';
import { Coalesced } from '../live/coalesced';
import { signWebhook } from './signature';

export interface DispatcherOptions {
  retrySchedule: number[];
  timeoutMs: number;
  pollMs: number;
}

interface Leased {
  id: string;
  owner_id: string;
  url: string;
  filter: FlagStreamFilter;
  secret: string;
  cursor: string;
  tries: number;
  lease_token: string;
}

interface Candidate {
  seq: string;
  student_id: string;
  attempt_id: string;
  exam_id: string;
  reason: FlagReason;
  severity: MonitoringSeverity;
  details: Record<string, unknown>;
  created_at: Date;
  cohort: string | null;
  visible: boolean;
}

/** Flags looked at per webhook and turn; those not for it only move its cursor. */
const SCAN = 200;
const LEASE_BATCH = 20;
/** How long a webhook whose owner cannot act (locked, inactive) waits before it is looked at again. */
const OWNER_PAUSE_SECONDS = 60;

/**
 * Sends each webhook the flags it may receive, one at a time and in order. Every instance
 * runs one; a webhook is worked on by one instance at a time, under a lease taken with SKIP
 * LOCKED and long enough for the receiver's timeout, and every outcome is written only while
 * that lease is still held. The cursor moves once the receiver acknowledged (2xx) or the
 * retry schedule ran out, so a restart resends at most the one event that was in flight.
 */
export class WebhookDispatcher {
  private timer: NodeJS.Timeout | null = null;
  private readonly turns = new Coalesced(
    () => this.turn(),
    (error: unknown) => logger.warn({ err: error }, 'webhook turn failed; the next poll retries'),
  );
  private stopped = false;
  /** Aborted when a stop's grace is over: deliveries still in flight are cut off and their leases released. */
  private readonly cutOff = new AbortController();
  /**
   * Whether any webhook is active, as the last turn that leased nothing found. While none is,
   * the log's growth does not wake the dispatcher (a statement per flag on every instance);
   * the poll still does, so a webhook created anywhere is picked up within WEBHOOK_POLL_MS.
   */
  private anyActive = true;

  constructor(
    private readonly orm: MikroORM,
    private readonly options: DispatcherOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.poll(), this.options.pollMs);
    this.timer.unref();
  }

  /** Starts no more turns; a delivery in flight has `graceMs` to finish and be recorded. */
  async stop(graceMs = 0): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    const grace = setTimeout(() => this.cutOff.abort(), graceMs);
    await this.turns.stop();
    clearTimeout(grace);
  }

  /** The log grew: looks for due work now, when some webhook may want it; one turn at a time. */
  kick(): void {
    if (this.anyActive) this.poll();
  }

  /** A turn now: one at a time, and one more when asked meanwhile (the poll, or a full lease batch). */
  private poll(): void {
    if (!this.stopped) this.turns.request();
  }

  private async turn(): Promise<void> {
    const leaseSeconds = Math.ceil((this.options.timeoutMs * 2) / 1000) + 5;
    const leased = await this.orm.em.fork().execute<Leased[]>(
      `update webhooks w set lease_token = gen_random_uuid(), lease_until = now() + make_interval(secs => ?)
        where w.id in (select id from webhooks
                        where active and next_try_at <= now() and (lease_until is null or lease_until < now())
                          and cursor < (select seq from student_flag_log_head)
                        order by next_try_at limit ? for update skip locked)
        returning w.id, w.owner_id, w.url, w.filter, w.secret, w.cursor, w.tries, w.lease_token`,
      [leaseSeconds, LEASE_BATCH],
    );
    if (leased.length === 0) {
      const [{ active }] = await this.orm.em.fork().execute<{ active: boolean }[]>('select exists (select 1 from webhooks where active) as active');
      this.anyActive = active;
      return;
    }
    this.anyActive = true;
    await Promise.all(leased.map((webhook) => this.work(webhook)));
    if (leased.length === LEASE_BATCH) this.poll();
  }

  /** The owner as a viewer, with their rights as of now; null when the account cannot act. */
  private async ownerViewer(ownerId: string): Promise<Viewer | null> {
    const user = await this.orm.em.fork().findOne(User, { id: ownerId }, { populate: ['teacherProfile'] });
    if (!user || !user.isActive || user.isLocked) return null;
    return { user, via: 'session', scopes: null, cohortsTaught: user.teacherProfile?.cohortsTaught ?? [] };
  }

  private async work(webhook: Leased): Promise<void> {
    const owner = await this.ownerViewer(webhook.owner_id);
    if (!owner) {
      // Paused while the owner cannot act; it keeps its place in the log.
      await this.settle(webhook, { next: 'later' });
      return;
    }
    const visible = examVisibleSql(owner, 'e');
    const rows = await this.orm.em.fork().execute<Candidate[]>(
      `select f.seq, f.student_id, f.attempt_id, f.exam_id, f.reason, f.severity, f.details, f.created_at, sp.cohort,
              (${visible.sql}) as visible
         from student_flag_events f join exams e on e.id = f.exam_id
         left join student_profiles sp on sp.user_id = f.student_id
        where f.seq > ? order by f.seq limit ?`,
      [...visible.params, webhook.cursor, SCAN],
    );
    const next = rows.find(
      (r) => r.visible && flagMatches({ examId: r.exam_id, cohort: r.cohort, severity: r.severity }, webhook.filter),
    );
    if (!next) {
      await this.settle(webhook, { skipTo: rows.at(-1)?.seq ?? webhook.cursor, next: 'now' });
      return;
    }
    const outcome = await this.post(webhook, next);
    if (this.cutOff.signal.aborted && !outcome.ok) {
      // Shutting down: not a failed try. Another instance (or this one, restarted) sends it again now.
      await this.orm.em.fork().execute('update webhooks set lease_token = null, lease_until = null where id = ? and lease_token = ?', [webhook.id, webhook.lease_token]);
      return;
    }
    const tries = webhook.tries + 1;
    if (outcome.ok) {
      await this.settle(webhook, { seq: next.seq, status: 'DELIVERED', tries, outcome, next: 'now' });
      return;
    }
    const wait = this.options.retrySchedule[tries - 1];
    if (wait === undefined) {
      await this.settle(webhook, { seq: next.seq, status: 'FAILED', tries, outcome, next: 'now' });
    } else {
      await this.settle(webhook, { seq: next.seq, status: 'RETRYING', tries, outcome, next: wait });
    }
  }

  private async post(webhook: Leased, flag: Candidate): Promise<{ ok: boolean; status: number | null; error: string | null }> {
    const seq = Number(flag.seq);
    const body = JSON.stringify({
      type: 'student.flagged',
      seq,
      cursor: encodeFlagCursor(seq),
      at: new Date(flag.created_at).toISOString(),
      reason: flag.reason,
      severity: flag.severity,
      details: flag.details,
      studentId: flag.student_id,
      attemptId: flag.attempt_id,
      examId: flag.exam_id,
      cohort: flag.cohort,
    });
    const id = `flag-${seq}`;
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const response = await fetch(webhook.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(this.options.timeoutMs), this.cutOff.signal]),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Assay-Webhooks/1',
          'webhook-id': id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signWebhook(webhook.secret, id, timestamp, body),
        },
        body,
      });
      await response.body?.cancel();
      const ok = response.status >= 200 && response.status < 300;
      return { ok, status: response.status, error: ok ? null : `HTTP ${response.status}` };
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      return { ok: false, status: null, error: name === 'TimeoutError' ? `no answer within ${this.options.timeoutMs} ms` : 'connection failed' };
    }
  }

  /**
   * Writes the outcome of a turn in one transaction, only while this instance still holds
   * the lease: the delivery row, the cursor (moved past what was sent, given up on, or not
   * for this webhook), the tries of the head event and when to look again.
   */
  private async settle(
    webhook: Leased,
    result:
      | { next: 'later' }
      | { skipTo: string; next: 'now' }
      | { seq: string; status: 'DELIVERED' | 'FAILED' | 'RETRYING'; tries: number; outcome: { status: number | null; error: string | null }; next: 'now' | number },
  ): Promise<void> {
    await this.orm.em.fork().transactional(async (tx) => {
      const [held] = await tx.execute<{ id: string }[]>('select id from webhooks where id = ? and lease_token = ? for update', [webhook.id, webhook.lease_token]);
      if (!held) return;
      if ('status' in result) {
        await tx.execute(
          `insert into webhook_deliveries (webhook_id, seq, status, tries, last_status_code, last_error, delivered_at)
           values (?, ?, ?, ?, ?, ?, case when ? = 'DELIVERED' then now() end)
           on conflict (webhook_id, seq) do update set status = excluded.status, tries = excluded.tries,
             last_status_code = excluded.last_status_code, last_error = excluded.last_error,
             last_tried_at = now(), delivered_at = excluded.delivered_at`,
          [webhook.id, result.seq, result.status, result.tries, result.outcome.status, result.outcome.error, result.status],
        );
      }
      const done = 'status' in result ? (result.status === 'RETRYING' ? Number(result.seq) - 1 : Number(result.seq)) : 'skipTo' in result ? Number(result.skipTo) : Number(webhook.cursor);
      const tries = 'status' in result && result.status === 'RETRYING' ? result.tries : 0;
      const delay = result.next === 'now' ? 0 : result.next === 'later' ? OWNER_PAUSE_SECONDS : result.next;
      await tx.execute(
        `update webhooks set cursor = greatest(cursor, ?), tries = ?, next_try_at = now() + make_interval(secs => ?),
                lease_token = null, lease_until = null
          where id = ?`,
        [done, tries, delay, webhook.id],
      );
    });
    if (result.next === 'now') this.kick();
  }
}
