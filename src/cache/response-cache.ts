import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { LRUCache } from 'lru-cache';
import type { CredentialProbe } from '../auth/credential-probe';

export interface ResponseCacheSettings {
  /** Memory for stored bodies; 0 turns the cache off. */
  maxBytes: number;
  /** Bounds how stale a field that reads the clock can get; data changes invalidate at once. */
  ttlSeconds: number;
}

export interface CachedResponse {
  body: Buffer;
  contentType: string;
  gzip?: Buffer;
}

/** What a POST /graphql body asks for; the cache key covers all of it. */
export interface GraphQLRequestBody {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

/**
 * Serialized responses of read-only operations, per principal and per database snapshot.
 * A key can only be hit while no write has committed since the response was computed (the
 * snapshot would differ), by the same user or API key, for the same document and
 * variables; entries of older snapshots are never hit again and age out of the LRU.
 */
export class ResponseCache {
  private readonly entries: LRUCache<string, CachedResponse>;
  private readonly computing = new Map<string, Promise<CachedResponse | undefined>>();

  constructor(settings: ResponseCacheSettings) {
    this.entries = new LRUCache<string, CachedResponse>({
      maxSize: settings.maxBytes,
      sizeCalculation: (entry) => entry.body.length + (entry.gzip?.length ?? 0) + 128,
      ttl: settings.ttlSeconds * 1000,
      ttlAutopurge: false,
    });
  }

  /** `accept` is part of the key because it decides the response's content type. */
  keyOf(probe: CredentialProbe, request: GraphQLRequestBody, accept: string): string {
    return createHash('sha256')
      .update(JSON.stringify([probe.principal, probe.snapshot, accept, request.query, request.operationName ?? null, request.variables ?? null]))
      .digest('base64url');
  }

  get(key: string): CachedResponse | undefined {
    return this.entries.get(key);
  }

  /**
   * The answer another request is computing under this key right now. The same key means
   * the same principal, snapshot and request, so that answer is exact for this one too:
   * after a write, concurrent identical reads execute once.
   */
  computingFor(key: string): Promise<CachedResponse | undefined> | undefined {
    return this.computing.get(key);
  }

  /** Marks `key` as being computed; the returned function stores the answer (if any) and releases waiters. */
  startComputing(key: string): (entry?: CachedResponse) => void {
    let settle!: (entry?: CachedResponse) => void;
    const promise = new Promise<CachedResponse | undefined>((resolve) => (settle = resolve));
    this.computing.set(key, promise);
    return (entry) => {
      if (this.computing.get(key) === promise) this.computing.delete(key);
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
