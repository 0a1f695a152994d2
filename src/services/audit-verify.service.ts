import { IsolationLevel } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { registerEnumType } from 'type-graphql';
import type { AuditAction, AuditActorKind } from '../entities/audit-action';
import { badInput } from '../errors';
import { chainHash, GENESIS_HASH } from './audit-chain';

export enum AuditChainProblem {
  MISSING = 'MISSING',
  EDITED = 'EDITED',
  REORDERED = 'REORDERED',
  LINK_BROKEN = 'LINK_BROKEN',
  ANCHOR_MISMATCH = 'ANCHOR_MISMATCH',
}

registerEnumType(AuditChainProblem, {
  name: 'AuditChainProblem',
  description:
    'MISSING: an entry was deleted. EDITED: an entry changed after it was written. REORDERED: an entry sits after the wrong predecessor. ' +
    'LINK_BROKEN: an entry does not link to the one before it (that one was rewritten). ANCHOR_MISMATCH: an anchored hash is no longer in the chain.',
});

/** Which part of the chain to check: by time (created_at, from inclusive, to exclusive) or by seq (inclusive). */
export interface AuditRange {
  from?: Date | null;
  to?: Date | null;
  fromSeq?: number | null;
  toSeq?: number | null;
}

/** A (seq, hash) pair kept outside the database; the chain must still contain it. */
export interface AuditAnchor {
  seq: number;
  hash: string;
}

export interface AuditVerification {
  intact: boolean;
  fromSeq: number;
  toSeq: number;
  entriesChecked: number;
  firstBrokenSeq: number | null;
  problem: AuditChainProblem | null;
  message: string;
  latestSeq: number;
  latestHash: string;
  latestCreatedAt: Date;
}

interface Row {
  seq: string;
  actor_kind: AuditActorKind;
  actor_user_id: string | null;
  actor_api_key_id: string | null;
  action: AuditAction;
  resource_type: string | null;
  resource_id: string | null;
  details: Record<string, unknown>;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  /** Milliseconds since the epoch: the ORM hands timestamps of raw queries back as text. */
  created_ms: string;
  prev_hash: string;
  hash: string;
}

const PAGE = 1000;
const COLUMNS = `seq, actor_kind, actor_user_id, actor_api_key_id, action, resource_type, resource_id, details, ip, user_agent,
  request_id, floor(extract(epoch from created_at) * 1000) as created_ms, prev_hash, hash`;

const hashOf = (row: Row) =>
  chainHash(row.prev_hash, {
    seq: Number(row.seq),
    actorKind: row.actor_kind,
    actorUserId: row.actor_user_id,
    actorApiKeyId: row.actor_api_key_id,
    action: row.action,
    resourceType: row.resource_type,
    resourceId: row.resource_id,
    details: row.details,
    ip: row.ip,
    userAgent: row.user_agent,
    requestId: row.request_id,
    createdAt: new Date(Number(row.created_ms)),
  });

async function seqRange(em: EntityManager, range: AuditRange, latestSeq: number): Promise<[number, number]> {
  const byTime = range.from != null || range.to != null;
  const bySeq = range.fromSeq != null || range.toSeq != null;
  if (byTime && bySeq) throw badInput('Give either from/to or fromSeq/toSeq, not both');
  if (range.from && range.to && range.from >= range.to) throw badInput('from must be before to');
  if (range.fromSeq != null && range.fromSeq < 1) throw badInput('fromSeq must be at least 1');
  if (range.fromSeq != null && range.toSeq != null && range.fromSeq > range.toSeq) throw badInput('fromSeq must not be after toSeq');
  if (byTime) {
    const [found] = await em.execute<{ lo: string | null; hi: string | null }[]>(
      `select min(seq) as lo, max(seq) as hi from audit_logs where created_at >= coalesce(?::timestamptz, '-infinity') and created_at < coalesce(?::timestamptz, 'infinity')`,
      [range.from ?? null, range.to ?? null],
    );
    if (found.lo == null) throw badInput('No audit entries in that time range: nothing to verify');
    return [Number(found.lo), Number(found.hi)];
  }
  const lo = range.fromSeq ?? 1;
  const hi = Math.min(range.toSeq ?? latestSeq, latestSeq);
  if (lo > hi) throw badInput(`No audit entries with seq from ${lo}${range.toSeq != null ? ` to ${range.toSeq}` : ''}: nothing to verify`);
  return [lo, hi];
}

/**
 * Recomputes the hash chain over a range and reports its first broken link. Reads one
 * snapshot (repeatable read), a page at a time, so concurrent appends neither disturb
 * the check nor make it hold much memory.
 */
export async function verifyAuditChain(em: EntityManager, range: AuditRange = {}, anchors: AuditAnchor[] = []): Promise<AuditVerification> {
  return em.transactional(
    async (tx) => {
      const [latest] = await tx.execute<{ seq: string; hash: string; created_ms: string }[]>(
        `select seq, hash, floor(extract(epoch from created_at) * 1000) as created_ms from audit_logs order by seq desc limit 1`,
      );
      if (!latest) throw badInput('The audit log is empty: nothing to verify');
      const latestSeq = Number(latest.seq);
      const [lo, hi] = await seqRange(tx, range, latestSeq);
      const result = { fromSeq: lo, toSeq: hi, latestSeq, latestHash: latest.hash, latestCreatedAt: new Date(Number(latest.created_ms)) };
      const broken = (seq: number, problem: AuditChainProblem, message: string, entriesChecked: number): AuditVerification => ({
        ...result,
        intact: false,
        entriesChecked,
        firstBrokenSeq: seq,
        problem,
        message,
      });

      let prevHash = GENESIS_HASH;
      if (lo > 1) {
        const [before] = await tx.execute<{ hash: string }[]>(`select hash from audit_logs where seq = ?`, [lo - 1]);
        if (!before) return broken(lo - 1, AuditChainProblem.MISSING, `Entry seq ${lo - 1} is missing (deleted)`, 0);
        prevHash = before.hash;
      }

      let expected = lo;
      let checked = 0;
      for (;;) {
        const rows = await tx.execute<Row[]>(`select ${COLUMNS} from audit_logs where seq >= ? and seq <= ? order by seq limit ${PAGE}`, [expected, hi]);
        for (const row of rows) {
          const seq = Number(row.seq);
          if (seq !== expected) return broken(expected, AuditChainProblem.MISSING, `Entry seq ${expected} is missing (deleted)`, checked);
          if (row.prev_hash !== prevHash) {
            const [owner] = await tx.execute<{ seq: string }[]>(`select seq from audit_logs where hash = ?`, [row.prev_hash]);
            return owner
              ? broken(seq, AuditChainProblem.REORDERED, `Entry seq ${seq} follows seq ${owner.seq}, not seq ${seq - 1}: entries were reordered`, checked)
              : broken(seq, AuditChainProblem.LINK_BROKEN, `Entry seq ${seq} does not link to seq ${seq - 1}: seq ${seq - 1} was rewritten`, checked);
          }
          if (hashOf(row) !== row.hash) {
            return broken(seq, AuditChainProblem.EDITED, `Entry seq ${seq} was changed after it was written`, checked);
          }
          prevHash = row.hash;
          expected = seq + 1;
          checked += 1;
        }
        if (rows.length < PAGE) break;
      }
      if (expected <= hi) return broken(expected, AuditChainProblem.MISSING, `Entry seq ${expected} is missing (deleted)`, checked);

      for (const anchor of anchors) {
        const [row] = await tx.execute<{ hash: string }[]>(`select hash from audit_logs where seq = ?`, [anchor.seq]);
        if (row?.hash !== anchor.hash) {
          return broken(anchor.seq, AuditChainProblem.ANCHOR_MISMATCH, `Entry seq ${anchor.seq} no longer has the anchored hash ${anchor.hash}`, checked);
        }
      }
      return {
        ...result,
        intact: true,
        entriesChecked: checked,
        firstBrokenSeq: null,
        problem: null,
        message: `Entries ${lo} to ${hi} are intact`,
      };
    },
    { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true },
  );
}
