import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { AuditLog } from '../entities/audit-log.entity';

export const GENESIS_HASH = '0'.repeat(64);

type Chained = Pick<
  AuditLog,
  | 'seq'
  | 'actorKind'
  | 'actorUserId'
  | 'actorApiKeyId'
  | 'action'
  | 'resourceType'
  | 'resourceId'
  | 'details'
  | 'ip'
  | 'userAgent'
  | 'requestId'
  | 'createdAt'
>;

/** The entry's canonical encoding (RFC 8785), so the hash does not depend on key order or the JSON engine. */
export function canonicalEntry(entry: Chained): string {
  return canonicalize({
    seq: entry.seq,
    actorKind: entry.actorKind,
    actorUserId: entry.actorUserId ?? null,
    actorApiKeyId: entry.actorApiKeyId ?? null,
    action: entry.action,
    resourceType: entry.resourceType ?? null,
    resourceId: entry.resourceId ?? null,
    details: entry.details ?? {},
    ip: entry.ip ?? null,
    userAgent: entry.userAgent ?? null,
    requestId: entry.requestId ?? null,
    createdAt: entry.createdAt.toISOString(),
  })!;
}

export const chainHash = (prevHash: string, entry: Chained): string =>
  createHash('sha256').update(prevHash).update('\n').update(canonicalEntry(entry)).digest('hex');
