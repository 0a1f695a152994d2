import os from 'node:os';
import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import type { Viewer } from '../auth/viewer';
import { AuditAction, AuditActorKind } from '../entities/audit-action';
import { AuditLog } from '../entities/audit-log.entity';
import { chainHash, GENESIS_HASH } from './audit-chain';
import { auditEntriesAppended } from '../metrics/metrics';

/** Who acted and from where; built once per request (or per CLI run / job). */
export interface AuditSource {
  actorKind: AuditActorKind;
  actorUserId: string | null;
  actorApiKeyId: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

export interface AuditEntry {
  action: AuditAction;
  resourceType?: string | null;
  resourceId?: string | null;
  details?: Record<string, unknown>;
}

export function sourceOfRequest(viewer: Viewer | null, request: { ip: string; userAgent: string | null; requestId: string }): AuditSource {
  return {
    actorKind: !viewer ? AuditActorKind.ANONYMOUS : viewer.via === 'apiKey' ? AuditActorKind.API_KEY : AuditActorKind.USER,
    actorUserId: viewer?.user.id ?? null,
    actorApiKeyId: viewer?.apiKeyId ?? null,
    ip: request.ip,
    userAgent: request.userAgent,
    requestId: request.requestId,
  };
}

/** The operator running a CLI command or a scheduled job; `detail` names which. */
export function systemSource(detail: string): AuditSource {
  return {
    actorKind: AuditActorKind.SYSTEM,
    actorUserId: null,
    actorApiKeyId: null,
    ip: null,
    userAgent: `${detail} (os user ${os.userInfo().username} on ${os.hostname()})`,
    requestId: null,
  };
}

/** The same source, acting as a user who has just proved who they are (login, register). */
export const asUser = (source: AuditSource, userId: string): AuditSource => ({
  ...source,
  actorKind: AuditActorKind.USER,
  actorUserId: userId,
});

type RunSql = (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

/** The chain step itself, over any connection that is inside the caller's transaction. */
async function appendWith(run: RunSql, source: AuditSource, entry: AuditEntry): Promise<AuditLog> {
  await run(`select pg_advisory_xact_lock(hashtext('assay:audit-chain'))`, []);
  const [last] = (await run(`select seq, hash from audit_logs order by seq desc limit 1`, [])) as { seq: string; hash: string }[];
  const row = Object.assign(new AuditLog(), {
    seq: last ? Number(last.seq) + 1 : 1,
    ...source,
    action: entry.action,
    resourceType: entry.resourceType ?? null,
    resourceId: entry.resourceId ?? null,
    details: entry.details ?? {},
    createdAt: new Date(),
    prevHash: last?.hash ?? GENESIS_HASH,
  });
  row.hash = chainHash(row.prevHash, row);
  auditEntriesAppended.inc({ action: row.action });
  await run(
    `insert into audit_logs (id, seq, actor_kind, actor_user_id, actor_api_key_id, action, resource_type, resource_id,
       details, ip, user_agent, request_id, created_at, prev_hash, hash)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?)`,
    [
      row.id,
      row.seq,
      row.actorKind,
      row.actorUserId,
      row.actorApiKeyId,
      row.action,
      row.resourceType,
      row.resourceId,
      JSON.stringify(row.details),
      row.ip,
      row.userAgent,
      row.requestId,
      row.createdAt,
      row.prevHash,
      row.hash,
    ],
  );
  return row;
}

/**
 * Appends one entry to the hash chain, inside the caller's transaction: the entry
 * commits with the change it records or not at all. A transaction-scoped advisory lock
 * makes concurrent writers take turns, so `seq` stays gap-free and the chain unbroken.
 */
export async function appendAudit(em: EntityManager, source: AuditSource, entry: AuditEntry): Promise<AuditLog> {
  if (!em.isInTransaction()) throw new Error('appendAudit must run inside the transaction of the change it records');
  return appendWith((sql, params) => em.execute(sql, params as never[]), source, entry);
}

/** The same, for writes that run on a knex transaction (bulk imports). */
export function appendAuditOnKnex(trx: Knex.Transaction, source: AuditSource, entry: AuditEntry): Promise<AuditLog> {
  return appendWith(async (sql, params) => (await trx.raw<{ rows: Record<string, unknown>[] }>(sql, params as Knex.RawBinding[])).rows, source, entry);
}
