import { LRUCache } from 'lru-cache';
import { Client } from 'pg';
import type { User } from '../entities';
import { logger } from '../logger';

/** What the database said about a credential it accepted, enough to rebuild the viewer. */
export interface AcceptedCredential {
  userId: string;
  sessionId?: string;
  apiKeyId?: string;
  /** The user as the check read them (a frozen plain row, shared by every request that presents it), and the cohorts they teach. */
  user: Readonly<User>;
  cohortsTaught: string[];
  /** An API key's own limits. */
  scopes?: string[];
  expiresAt?: Date | null;
  /** When this instance last recorded the key's use (last_used_at is touched at most once a minute). */
  touchedAt?: number;
}

export interface AccessRegistryOptions {
  databaseUrl: string;
  /** Most credentials remembered at once; the least recently used go first. */
  max?: number;
  /** How often the listening connection is checked; a check unanswered by the next one counts as lost. */
  pingMs?: number;
}

export const ACCESS_CHANNEL = 'assay_access';

/** What a viewer may do with one exam. The creator holds all three rights. */
export interface ExamAccess {
  view: boolean;
  edit: boolean;
  analytics: boolean;
}

/**
 * Credentials this instance has found good, so a request needs no round trip to accept
 * them, and teachers' rights on exams as live deliveries read them. Each change that can
 * end or alter access is announced by a trigger on `assay_access` (migrations
 * access_notifications, exam_rights_notifications) and forgets what it names. While the
 * listening connection is down, or not yet up, nothing is remembered and every request
 * asks the database: a notification missed in that time cannot leave a revoked credential
 * accepted. A check that started before a notification arrived is not remembered either.
 */
export class AccessRegistry {
  private readonly accepted: LRUCache<string, AcceptedCredential>;
  /** Teachers' rights by exam, then teacher: `exam:<id>` forgets an exam's at once. */
  private readonly examRights: LRUCache<string, Map<string, ExamAccess>>;
  private client: Client | null = null;
  private listening = false;
  private changes = 0;
  private stopped = false;
  private ping: NodeJS.Timeout | null = null;
  private retry: NodeJS.Timeout | null = null;
  private failures = 0;

  constructor(private readonly options: AccessRegistryOptions) {
    this.accepted = new LRUCache({ max: options.max ?? 10_000 });
    this.examRights = new LRUCache({ max: options.max ?? 10_000 });
  }

  /** Resolves once listening, or after the first failure (requests then ask the database until it is up). */
  start(): Promise<void> {
    return this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.lost();
    await this.client?.end().catch(() => undefined);
  }

  /** A token for remember(): taken before the database is asked, so a change noticed meanwhile is not overwritten. */
  ticket(): number | null {
    return this.listening ? this.changes : null;
  }

  remember(key: string, credential: AcceptedCredential, ticket: number | null): void {
    if (this.unchangedSince(ticket)) this.accepted.set(key, credential);
  }

  recall(key: string): AcceptedCredential | undefined {
    return this.listening ? this.accepted.get(key) : undefined;
  }

  /** A teacher's rights on an exam as the database last said, while no change to them was announced since. */
  recallExamRights(teacherId: string, examId: string): ExamAccess | undefined {
    return this.listening ? this.examRights.get(examId)?.get(teacherId) : undefined;
  }

  rememberExamRights(teacherId: string, examId: string, rights: ExamAccess, ticket: number | null): void {
    if (!this.unchangedSince(ticket)) return;
    let teachers = this.examRights.get(examId);
    if (!teachers) this.examRights.set(examId, (teachers = new Map()));
    teachers.set(teacherId, rights);
  }

  /**
   * Whether nothing that can change access was announced since `ticket` was taken (and the
   * listener stayed up): what was decided under it still holds.
   */
  unchangedSince(ticket: number | null): boolean {
    return ticket !== null && this.listening && ticket === this.changes;
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.options.databaseUrl, application_name: 'assay-access-listener', keepAlive: true });
    client.on('notification', (message) => this.forget(message.payload ?? ''));
    client.on('error', (error) => {
      logger.warn({ err: error }, 'access listener failed; credentials are checked in the database until it is back');
      this.reconnect(client);
    });
    client.on('end', () => this.reconnect(client));
    this.client = client;
    try {
      await client.connect();
      await client.query(`listen ${ACCESS_CHANNEL}`);
      this.changes++;
      this.accepted.clear();
      this.examRights.clear();
      this.listening = true;
      this.failures = 0;
      this.watch(client);
    } catch (error) {
      logger.warn({ err: error }, 'access listener could not connect; credentials are checked in the database');
      this.reconnect(client);
    }
  }

  private watch(client: Client): void {
    let answered = true;
    this.ping = setInterval(() => {
      if (!answered) return this.reconnect(client);
      answered = false;
      client.query('select 1').then(
        () => (answered = true),
        () => this.reconnect(client),
      );
    }, this.options.pingMs ?? 500);
    this.ping.unref();
  }

  private reconnect(client: Client): void {
    if (client !== this.client) return;
    this.lost();
    this.client = null;
    client.end().catch(() => undefined);
    if (this.stopped) return;
    const delay = Math.min(5_000, 250 * 2 ** this.failures++);
    this.retry = setTimeout(() => void this.connect(), delay);
    this.retry.unref();
  }

  private lost(): void {
    this.listening = false;
    this.changes++;
    this.accepted.clear();
    this.examRights.clear();
    if (this.ping) clearInterval(this.ping);
    this.ping = null;
  }

  /** `user:<id>`, `session:<id>`, `key:<id>`, `jti:<id>` or `exam:<id>`: forgets every credential or right it names. */
  private forget(payload: string): void {
    this.changes++;
    const [kind, id] = payload.split(':');
    if (kind === 'exam') {
      this.examRights.delete(id);
      return;
    }
    if (kind === 'jti') {
      this.accepted.delete(`jti:${id}`);
      return;
    }
    for (const [key, credential] of this.accepted.entries()) {
      const named =
        (kind === 'user' && credential.userId === id) ||
        (kind === 'session' && credential.sessionId === id) ||
        (kind === 'key' && credential.apiKeyId === id);
      if (named) this.accepted.delete(key);
    }
  }
}
