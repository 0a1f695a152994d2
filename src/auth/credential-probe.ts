import type { EntityManager } from '@mikro-orm/postgresql';
import { hashApiKey, looksLikeApiKey } from './api-key-format';
import type { AccessClaims, TokenService } from './tokens';

/**
 * A credential found good by one SQL statement, with the database snapshot that statement
 * saw. The response cache keys on both: the same principal and the same snapshot (no write
 * committed anywhere since) must produce the same response.
 */
export interface CredentialProbe {
  /** The session or API key behind the credential: responses are never shared across them. */
  principal: string;
  /** `pg_current_snapshot()` as text: changes whenever any write transaction commits. */
  snapshot: string;
  /** Verified access-token claims, so authentication does not check the token twice. */
  claims?: AccessClaims;
}

interface ProbeRow {
  good: boolean;
  principal: string | null;
  snapshot: string;
}

const usableUser = `coalesce((select u.is_active and u.locked_at is null from users u where u.id = ?), false)`;

async function probeAccessToken(em: EntityManager, tokens: TokenService, token: string): Promise<CredentialProbe | null> {
  let claims: AccessClaims;
  try {
    claims = await tokens.verifyAccess(token);
  } catch {
    return null;
  }
  const [row] = await em.execute<ProbeRow[]>(
    `select not exists (select 1 from revoked_access_tokens where jti = ?)
              and coalesce((select revoked_at is null from auth_sessions where id = ? and user_id = ?), false)
              and ${usableUser} as good,
            null as principal,
            pg_current_snapshot()::text as snapshot`,
    [claims.jti, claims.sessionId, claims.userId, claims.userId],
  );
  return row.good ? { principal: `session:${claims.sessionId}`, snapshot: row.snapshot, claims } : null;
}

/** Touches last_used_at in the same statement (throttled, as authentication does) so cached reads still count as use. */
async function probeApiKey(em: EntityManager, key: string): Promise<CredentialProbe | null> {
  const [row] = await em.execute<ProbeRow[]>(
    `with found as (
       select k.id from api_keys k join users u on u.id = k.owner_id
        where k.key_hash = ? and k.revoked_at is null and (k.expires_at is null or k.expires_at > now())
          and u.is_active and u.locked_at is null
     ), touched as (
       update api_keys set last_used_at = now()
        where id in (select id from found) and (last_used_at is null or last_used_at < now() - interval '1 minute')
     )
     select true as good, (select id::text from found) as principal, pg_current_snapshot()::text as snapshot`,
    [hashApiKey(key)],
  );
  return row.principal ? { principal: `apiKey:${row.principal}`, snapshot: row.snapshot } : null;
}

/** Null when the credential is refused; authentication then runs in full and explains why. */
export function probeCredential(em: EntityManager, tokens: TokenService, credential: string): Promise<CredentialProbe | null> {
  return looksLikeApiKey(credential) ? probeApiKey(em, credential) : probeAccessToken(em, tokens, credential);
}
