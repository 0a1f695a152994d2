import type { EntityManager } from '@mikro-orm/postgresql';
import { ApiKey, User } from '../entities';
import { hashApiKey, looksLikeApiKey } from './api-key-format';
import { isApiScope } from './scopes';
import { checkSessions, type CredentialProbe, type SessionCheck } from './credential-probe';
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

const usable = (user: User | null): user is User => user != null && user.isActive && !user.isLocked;

async function viaApiKey(em: EntityManager, key: string, probe?: CredentialProbe): Promise<Authentication> {
  const apiKey = await em.findOne(ApiKey, { keyHash: hashApiKey(key) }, { populate: ['owner.teacherProfile'] });
  if (!apiKey || apiKey.revokedAt) return refused('Invalid API key');
  if (apiKey.expiresAt && apiKey.expiresAt.getTime() <= Date.now()) return refused('API key expired');
  if (!usable(apiKey.owner)) return refused('Account is locked or inactive');
  // Throttled so a busy notebook does not turn every read into a write; a probe has done it already.
  if (!probe) {
    await em.execute(
      `update api_keys set last_used_at = now() where id = ? and (last_used_at is null or last_used_at < now() - interval '1 minute')`,
      [apiKey.id],
    );
  }
  return {
    viewer: {
      user: apiKey.owner,
      via: 'apiKey',
      scopes: new Set(apiKey.scopes.filter(isApiScope)),
      cohortsTaught: apiKey.owner.teacherProfile?.cohortsTaught ?? [],
      apiKeyId: apiKey.id,
    },
    authError: null,
  };
}

async function viaAccessToken(em: EntityManager, tokens: TokenService, token: string, probe?: CredentialProbe): Promise<Authentication> {
  if (probe?.claims && probe.session) return viewerOfSession(em, probe.claims, probe.session);
  let claims;
  try {
    claims = await tokens.verifyAccess(token);
  } catch (error) {
    return refused(error instanceof TokenError ? error.message : 'Invalid token');
  }
  const [check] = await checkSessions(em, [claims]);
  if (!check.live) return refused('Token revoked');
  return viewerOfSession(em, claims, check);
}

/** The user comes from the session check's own statement: no second round trip, and the same moment as the revocation check. */
function viewerOfSession(em: EntityManager, claims: AccessClaims, check: SessionCheck): Authentication {
  if (!check.usable || !check.user_row) return refused('Account is locked or inactive');
  const user = em.map(User, check.user_row);
  return {
    viewer: {
      user,
      via: 'session',
      scopes: null,
      cohortsTaught: check.cohorts_taught ?? [],
      sessionId: claims.sessionId,
      accessJti: claims.jti,
      accessExpiresAt: claims.expiresAt,
    },
    authError: null,
  };
}

/** A probe (credential-probe.ts) already made for this credential saves the revocation check. */
export async function authenticate(
  em: EntityManager,
  tokens: TokenService,
  credential: string | null,
  probe?: CredentialProbe,
): Promise<Authentication> {
  if (!credential) return anonymous;
  return looksLikeApiKey(credential) ? viaApiKey(em, credential, probe) : viaAccessToken(em, tokens, credential, probe);
}

/** A WebSocket's credential, from graphql-ws `connectionParams`: `authorization` (Bearer …) or `apiKey`. */
export function credentialFromParams(params: Readonly<Record<string, unknown>> | undefined): string | null {
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return credentialFrom({ authorization: text(params?.authorization), 'x-api-key': text(params?.apiKey) });
}
