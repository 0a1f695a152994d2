import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { LRUCache } from 'lru-cache';
import type { CredentialProbe } from '../auth/credential-probe';
import { versionOf, type TableVersions } from '../db/table-versions';

export interface ResponseCacheSettings {
  /** Memory for stored bodies; 0 turns the cache off. */
  maxBytes: number;
  /** Bounds how stale a field that reads the clock can get; data changes invalidate at once. */
  ttlSeconds: number;
}

export interface CachedResponse {
  body: Buffer;
  contentType: string;
  /** Each table the answer read, with its version before the answer was computed. */
  reads: ReadonlyArray<readonly [table: string, version: string]>;
  gzip?: Buffer;
}

interface Computation {
  versionsText: string;
  answer: Promise<CachedResponse | undefined>;
}

/** What a POST /graphql body asks for; the cache key covers all of it. */
export interface GraphQLRequestBody {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

/**
 * Serialized responses of read-only operations, per principal, document and variables.
 * An entry is hit only while none of the tables it read has been written since its
 * versions were read (before it was computed, so a write during the computation makes it
 * miss too); a newer answer under the same key replaces it.
 */
export class ResponseCache {
  private readonly entries: LRUCache<string, CachedResponse>;
  private readonly computing = new Map<string, Computation>();

  constructor(settings: ResponseCacheSettings) {
    this.entries = new LRUCache<string, CachedResponse>({
      maxSize: settings.maxBytes,
      sizeCalculation: (entry) => entry.body.length + (entry.gzip?.length ?? 0) + 128 + 64 * entry.reads.length,
      ttl: settings.ttlSeconds * 1000,
      ttlAutopurge: false,
    });
  }

  /** `accept` is part of the key because it decides the response's content type. */
  keyOf(probe: CredentialProbe, request: GraphQLRequestBody, accept: string): string {
    return createHash('sha256')
      .update(JSON.stringify([probe.principal, accept, request.query, request.operationName ?? null, request.variables ?? null]))
      .digest('base64url');
  }

  /** The entry under `key` if no table it read has changed by `versions`. */
  get(key: string, versions: TableVersions): CachedResponse | undefined {
    const entry = this.entries.get(key);
    return entry?.reads.every(([table, version]) => versionOf(versions, table) === version) ? entry : undefined;
  }

  /**
   * The answer another request is computing under this key right now from the same
   * versions of every table, so that answer is exact for this one too: after a write,
   * concurrent identical reads execute once.
   */
  computingFor(key: string, versionsText: string): Promise<CachedResponse | undefined> | undefined {
    const computation = this.computing.get(key);
    return computation?.versionsText === versionsText ? computation.answer : undefined;
  }

  /** Marks `key` as being computed; the returned function stores the answer (if any) and releases waiters. */
  startComputing(key: string, versionsText: string): (entry?: CachedResponse) => void {
    let settle!: (entry?: CachedResponse) => void;
    const computation = { versionsText, answer: new Promise<CachedResponse | undefined>((resolve) => (settle = resolve)) };
    this.computing.set(key, computation);
    return (entry) => {
      if (this.computing.get(key) === computation) this.computing.delete(key);
      if (entry) this.entries.set(key, entry);
      settle(entry);
    };
  }

  /** The entry's body gzipped, made on first use and kept with the entry. */
  gzipped(key: string, entry: CachedResponse): Buffer {
    if (!entry.gzip) {
      entry.gzip = gzipSync(entry.body);
      this.entries.set(key, entry, { noUpdateTTL: true });
    }
    return entry.gzip;
  }
}

export function graphQLRequestBody(body: unknown): GraphQLRequestBody | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const { query, operationName, variables } = body as Record<string, unknown>;
  if (typeof query !== 'string') return null;
  if (operationName != null && typeof operationName !== 'string') return null;
  if (variables != null && (typeof variables !== 'object' || Array.isArray(variables))) return null;
  return { query, operationName: operationName, variables: variables as Record<string, unknown> | null | undefined };
}
