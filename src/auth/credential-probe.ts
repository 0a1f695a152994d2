import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { TABLE_VERSIONS_SQL, type TableVersions } from '../db/table-versions';
import { uuidArray } from '../db/pg-array';
import { countStatement, outsideRequestCount } from '../db/query-counter';
import { hashApiKey, looksLikeApiKey } from './api-key-format';
import type { AccessClaims, TokenService } from './tokens';

/** Every table's version as one statement saw it. */
export interface TableSnapshot {
  versions: TableVersions;
  /** The versions as one text: equal texts, no table changed in between. */
  versionsText: string;
}

/**
 * A credential found good by the database, with every table's version as the same
 * statement saw it when asked for. The response cache keys on the principal and reuses an
 * answer while the versions of the tables it read are still these.
 */
export interface CredentialProbe {
  /**
   * Whose rights the answer reflects: the user for a session (every session of a user has
   * the same rights, and no cacheable field reads the session), the key for an API key
   * (its scopes narrow the owner's). Answers are never shared across principals.
   */
  principal: string;
  snapshot: TableSnapshot;
  /** Verified access-token claims and what the check read, so authentication repeats neither. */
  claims?: AccessClaims;
  session?: SessionCheck;
  /** For an API key: the key and its owner as the check read them. */
  key?: KeyCheck;
}

/** A live key and its owner's row, as one statement read them. */
export interface KeyCheck {
  id: string;
  owner_id: string;
  scopes: string[];
  expires_at: string | null;
  usable: boolean;
  user_row: Record<string, unknown>;
  cohorts_taught: string[] | null;
}

export interface SessionCheck {
  /** The token is not revoked and its session is live and belongs to its user. */
  live: boolean;
  /** The account is active and not locked. */
  usable: boolean;
  /** The user's row as it was when checked (null: no such user), and the cohorts they teach. */
  user_row: Record<string, unknown> | null;
  cohorts_taught: string[] | null;
}

const SESSION_CHECKS = `select not exists (select 1 from revoked_access_tokens r where r.jti = c.jti)
              and coalesce((select s.revoked_at is null from auth_sessions s where s.id = c.sid and s.user_id = c.uid), false) as live,
            coalesce(u.is_active and u.locked_at is null, false) as usable,
            to_jsonb(u) as user_row, tp.cohorts_taught, c.i
       from unnest(?::uuid[], ?::uuid[], ?::uuid[]) with ordinality as c(jti, sid, uid, i)
       left join users u on u.id = c.uid
       left join teacher_profiles tp on tp.user_id = c.uid`;

const sessionParams = (claims: readonly AccessClaims[]) => [
  uuidArray(claims.map((c) => c.jti)),
  uuidArray(claims.map((c) => c.sessionId)),
  uuidArray(claims.map((c) => c.userId)),
];

/** The database side of accepting access tokens, for many at once, in their order, with each token's user. */
export function checkSessions(em: EntityManager, claims: readonly AccessClaims[]): Promise<SessionCheck[]> {
  return em.execute<SessionCheck[]>(`${SESSION_CHECKS} order by c.i`, sessionParams(claims));
}

const SESSION_PROBE = `select ${TABLE_VERSIONS_SQL} as versions, (select json_agg(s order by s.i) from (${SESSION_CHECKS}) s) as checks`;

interface SessionProbe {
  check: SessionCheck;
  snapshot: TableSnapshot;
}

const snapshotOf = (versionsText: string): TableSnapshot => ({ versionsText, versions: JSON.parse(versionsText) as TableVersions });

/** Session checks and the table versions in one statement, read after every request in the batch arrived. */
async function probeSessions(em: EntityManager, claims: readonly AccessClaims[]): Promise<SessionProbe[]> {
  const [row] = await em.execute<{ versions: string; checks: SessionCheck[] }[]>(SESSION_PROBE, sessionParams(claims));
  const snapshot = snapshotOf(row.versions);
  return row.checks.map((check) => ({ check, snapshot }));
}

/**
 * Probes of requests that arrive together share one statement, batched per turn of the
 * event loop: under load that saves a round trip per request, and every request's
 * versions are still read after it arrived.
 */
const sessionProbes = (em: EntityManager) =>
  new DataLoader<AccessClaims, SessionProbe>((batch) => outsideRequestCount(() => probeSessions(em, batch)), {
    cache: false,
    maxBatchSize: 200,
    batchScheduleFn: (dispatch) => setImmediate(dispatch),
  });

const PROBE_API_KEY = `with found as (
       select k.id, k.owner_id, k.scopes, k.expires_at, true as usable, to_jsonb(u) as user_row, tp.cohorts_taught
         from api_keys k join users u on u.id = k.owner_id left join teacher_profiles tp on tp.user_id = u.id
        where k.key_hash = ? and k.revoked_at is null and (k.expires_at is null or k.expires_at > now())
          and u.is_active and u.locked_at is null
     ), touched as (
       update api_keys set last_used_at = now()
        where id in (select id from found) and (last_used_at is null or last_used_at < now() - interval '1 minute')
     )
     select (select to_jsonb(found) from found) as key, ${TABLE_VERSIONS_SQL} as versions`;

/**
 * Touches last_used_at in the same statement (throttled, as authentication does) so cached
 * reads still count as use. The key's scopes are part of the principal, so answers never
 * depend on api_keys itself: one key's touch leaves every key's answers in place.
 */
async function probeApiKey(em: EntityManager, key: string): Promise<CredentialProbe | null> {
  const [row] = await em.execute<{ key: KeyCheck | null; versions: string }[]>(PROBE_API_KEY, [hashApiKey(key)]);
  if (!row.key) return null;
  const scopes = [...row.key.scopes].sort().join(' ');
  return { principal: `apiKey:${row.key.id}:${scopes}`, snapshot: snapshotOf(row.versions), key: row.key };
}

/** Checks credentials against the database: one statement per API key, one per batch of sessions. */
export class CredentialProber {
  private readonly sessions: DataLoader<AccessClaims, SessionProbe>;

  constructor(
    private readonly em: EntityManager,
    private readonly tokens: TokenService,
  ) {
    this.sessions = sessionProbes(em.fork());
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
    const { check, snapshot } = await this.sessions.load(claims);
    countStatement(SESSION_PROBE);
    return check.live && check.usable ? { principal: `user:${claims.userId}`, snapshot, claims, session: check } : null;
  }
}
