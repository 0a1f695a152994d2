import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { uuidArray } from '../db/pg-array';
import { countStatement, outsideRequestCount } from '../db/query-counter';
import { hashApiKey, looksLikeApiKey } from './api-key-format';
import type { AccessClaims, TokenService } from './tokens';

/**
 * A credential found good by the database, with the snapshot the check saw. The response
 * cache keys on both: the same principal and the same snapshot (no write committed
 * anywhere since) must produce the same response.
 */
export interface CredentialProbe {
  /**
   * Whose rights the answer reflects: the user for a session (every session of a user has
   * the same rights, and no cacheable field reads the session), the key for an API key
   * (its scopes narrow the owner's). Answers are never shared across principals.
   */
  principal: string;
  /** `pg_current_snapshot()` as text: changes whenever any write transaction commits. */
  snapshot: string;
  /** Verified access-token claims and what the check read, so authentication repeats neither. */
  claims?: AccessClaims;
  session?: SessionCheck;
}

export interface SessionCheck {
  /** The token is not revoked and its session is live and belongs to its user. */
  live: boolean;
  /** The account is active and not locked. */
  usable: boolean;
  snapshot: string;
  /** The user's row as it was when checked (null: no such user), and the cohorts they teach. */
  user_row: Record<string, unknown> | null;
  cohorts_taught: string[] | null;
}

/** The database side of accepting access tokens, for many at once, in their order, with each token's user. */
export function checkSessions(em: EntityManager, claims: readonly AccessClaims[]): Promise<SessionCheck[]> {
  return em.execute<SessionCheck[]>(
    `select not exists (select 1 from revoked_access_tokens r where r.jti = c.jti)
              and coalesce((select s.revoked_at is null from auth_sessions s where s.id = c.sid and s.user_id = c.uid), false) as live,
            coalesce(u.is_active and u.locked_at is null, false) as usable,
            pg_current_snapshot()::text as snapshot,
            to_jsonb(u) as user_row, tp.cohorts_taught
       from unnest(?::uuid[], ?::uuid[], ?::uuid[]) with ordinality as c(jti, sid, uid, i)
       left join users u on u.id = c.uid
       left join teacher_profiles tp on tp.user_id = c.uid
      order by c.i`,
    [uuidArray(claims.map((c) => c.jti)), uuidArray(claims.map((c) => c.sessionId)), uuidArray(claims.map((c) => c.userId))],
  );
}

/**
 * Session checks of requests that arrive together share one statement, batched per turn of
 * the event loop: under load that saves a round trip per request, and every request's
 * snapshot is still taken after it arrived.
 */
function batchedSessionChecks(em: EntityManager): DataLoader<AccessClaims, SessionCheck> {
  return new DataLoader((batch) => outsideRequestCount(() => checkSessions(em, batch)), {
    cache: false,
    maxBatchSize: 200,
    batchScheduleFn: (dispatch) => setImmediate(dispatch),
  });
}

/** Touches last_used_at in the same statement (throttled, as authentication does) so cached reads still count as use. */
async function probeApiKey(em: EntityManager, key: string): Promise<CredentialProbe | null> {
  const [row] = await em.execute<{ principal: string | null; snapshot: string }[]>(
    `with found as (
       select k.id from api_keys k join users u on u.id = k.owner_id
        where k.key_hash = ? and k.revoked_at is null and (k.expires_at is null or k.expires_at > now())
          and u.is_active and u.locked_at is null
     ), touched as (
       update api_keys set last_used_at = now()
        where id in (select id from found) and (last_used_at is null or last_used_at < now() - interval '1 minute')
     )
     select (select id::text from found) as principal, pg_current_snapshot()::text as snapshot`,
    [hashApiKey(key)],
  );
  return row.principal ? { principal: `apiKey:${row.principal}`, snapshot: row.snapshot } : null;
}

/** Checks credentials against the database: one statement per API key, one per batch of sessions. */
export class CredentialProber {
  private readonly sessions: DataLoader<AccessClaims, SessionCheck>;

  constructor(
    private readonly em: EntityManager,
    private readonly tokens: TokenService,
  ) {
    this.sessions = batchedSessionChecks(em.fork());
  }

  /** Null when the credential is refused; authentication then runs in full and explains why. */
  async probe(credential: string): Promise<CredentialProbe | null> {
    if (looksLikeApiKey(credential)) return probeApiKey(this.em.fork(), credential);
    let claims: AccessClaims;
    try {
      claims = await this.tokens.verifyAccess(credential);
    } catch {
      return null;
    }
    const check = await this.sessions.load(claims);
    countStatement();
    return check.live && check.usable ? { principal: `user:${claims.userId}`, snapshot: check.snapshot, claims, session: check } : null;
  }
}
