import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from '../entities';
import { plainRows } from '../db/plain-rows';
import type { AccessRegistry, AcceptedCredential } from './access-registry';
import { hashApiKey, looksLikeApiKey } from './api-key-format';
import { isApiScope } from './scopes';
import { checkSessions, type CredentialProbe, type KeyCheck } from './credential-probe';
import { TokenError, type AccessClaims, type TokenService } from './tokens';
import type { Viewer } from './viewer';

export interface Authentication {
  viewer: Viewer | null;
  /** Why presented credentials were refused; null when none were presented or they were good. */
  authError: string | null;
}

const anonymous: Authentication = { viewer: null, authError: null };
const refused = (authError: string): Authentication => ({ viewer: null, authError });

/** Reads the credential from `Authorization: Bearer …` or `X-API-Key`. */
export function credentialFrom(headers: { authorization?: string; 'x-api-key'?: string | string[] }): string | null {
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey.trim()) return apiKey.trim();
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  return match ? match[1] : null;
}

/** A live key and its owner, in one statement; null when there is no such key or it was revoked. */
async function checkApiKey(em: EntityManager, key: string): Promise<KeyCheck | null> {
  const [row] = await em.execute<KeyCheck[]>(
    `select k.id, k.owner_id, k.scopes, k.expires_at, coalesce(u.is_active and u.locked_at is null, false) as usable,
            to_jsonb(u) as user_row, tp.cohorts_taught
       from api_keys k join users u on u.id = k.owner_id left join teacher_profiles tp on tp.user_id = u.id
      where k.key_hash = ? and k.revoked_at is null`,
    [hashApiKey(key)],
  );
  return row ?? null;
}

const KEY_USE_INTERVAL_MS = 60_000;

/**
 * The user of an accepted credential, mapped once and frozen: every request presenting the
 * credential shares it, so none pays for hydration, and none can change it for the others.
 */
const userOf = (em: EntityManager, row: Record<string, unknown>): Readonly<User> => Object.freeze(plainRows(em, User)(row));

/** `touchedAt`: when last_used_at was last recorded (0: not by this instance). */
const acceptedKey = (em: EntityManager, check: KeyCheck, touchedAt: number): AcceptedCredential => ({
  userId: check.owner_id,
  apiKeyId: check.id,
  user: userOf(em, check.user_row),
  cohortsTaught: check.cohorts_taught ?? [],
  scopes: check.scopes,
  expiresAt: check.expires_at ? new Date(check.expires_at) : null,
  touchedAt,
});

/**
 * Accepts or refuses credentials. A credential the database accepted is remembered by the
 * access registry until a change to it is announced, so most requests cost no statement.
 */
export class Authenticator {
  constructor(
    private readonly tokens: TokenService,
    private readonly registry: AccessRegistry,
  ) {}

  /** A probe (credential-probe.ts) already made for this credential saves the revocation check. */
  async authenticate(em: EntityManager, credential: string | null, probe?: CredentialProbe): Promise<Authentication> {
    if (!credential) return anonymous;
    return looksLikeApiKey(credential) ? this.viaApiKey(em, credential, probe) : this.viaAccessToken(em, credential, probe);
  }

  private async viaApiKey(em: EntityManager, key: string, probe?: CredentialProbe): Promise<Authentication> {
    const remembered = `key:${hashApiKey(key)}`;
    let accepted = probe?.key ? acceptedKey(em, probe.key, Date.now()) : this.registry.recall(remembered);
    if (!accepted) {
      const ticket = this.registry.ticket();
      const check = await checkApiKey(em, key);
      if (!check) return refused('Invalid API key');
      if (!check.usable) return refused('Account is locked or inactive');
      accepted = acceptedKey(em, check, 0);
      this.registry.remember(remembered, accepted, ticket);
    }
    if (accepted.expiresAt && accepted.expiresAt.getTime() <= Date.now()) return refused('API key expired');
    if (Date.now() - accepted.touchedAt! >= KEY_USE_INTERVAL_MS) {
      accepted.touchedAt = Date.now();
      await em.execute(
        `update api_keys set last_used_at = now() where id = ? and (last_used_at is null or last_used_at < now() - interval '1 minute')`,
        [accepted.apiKeyId],
      );
    }
    return {
      viewer: {
        user: accepted.user,
        via: 'apiKey',
        scopes: new Set(accepted.scopes!.filter(isApiScope)),
        cohortsTaught: accepted.cohortsTaught,
        apiKeyId: accepted.apiKeyId,
      },
      authError: null,
    };
  }

  private async viaAccessToken(em: EntityManager, token: string, probe?: CredentialProbe): Promise<Authentication> {
    if (probe?.claims && probe.session?.user_row) return viewerOfSession(probe.claims, userOf(em, probe.session.user_row), probe.session.cohorts_taught ?? []);
    let claims;
    try {
      claims = await this.tokens.verifyAccess(token);
    } catch (error) {
      return refused(error instanceof TokenError ? error.message : 'Invalid token');
    }
    const remembered = `jti:${claims.jti}`;
    const accepted = this.registry.recall(remembered);
    if (accepted) return viewerOfSession(claims, accepted.user, accepted.cohortsTaught);
    const ticket = this.registry.ticket();
    const [check] = await checkSessions(em, [claims]);
    if (!check.live) return refused('Token revoked');
    if (!check.usable || !check.user_row) return refused('Account is locked or inactive');
    const cohortsTaught = check.cohorts_taught ?? [];
    const user = userOf(em, check.user_row);
    this.registry.remember(remembered, { userId: claims.userId, sessionId: claims.sessionId, user, cohortsTaught }, ticket);
    return viewerOfSession(claims, user, cohortsTaught);
  }
}

function viewerOfSession(claims: AccessClaims, user: Readonly<User>, cohortsTaught: readonly string[]): Authentication {
  return {
    viewer: {
      user,
      via: 'session',
      scopes: null,
      cohortsTaught,
      sessionId: claims.sessionId,
      accessJti: claims.jti,
      accessExpiresAt: claims.expiresAt,
    },
    authError: null,
  };
}

/** A WebSocket's credential, from graphql-ws `connectionParams`: `authorization` (Bearer …) or `apiKey`. */
export function credentialFromParams(params: Readonly<Record<string, unknown>> | undefined): string | null {
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return credentialFrom({ authorization: text(params?.authorization), 'x-api-key': text(params?.apiKey) });
}
