import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { isUuid } from '../services/uuid';
import { errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';

/** Distinct `typ` headers so a refresh token can never pass for an access token (RFC 8725 §3.11). */
export const ACCESS_TYP = 'at+jwt';
export const REFRESH_TYP = 'refresh+jwt';
const ALGORITHMS = ['HS256'];
const CLOCK_TOLERANCE_SECONDS = 5;

export interface TokenSettings {
  secret: string;
  issuer: string;
  audience: string;
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
}

export interface AccessClaims {
  userId: string;
  sessionId: string;
  jti: string;
  expiresAt: Date;
}

export interface RefreshClaims {
  userId: string;
  sessionId: string;
  jti: string;
  expiresAt: Date;
}

export class TokenError extends Error {}

const isUuidClaim = (value: unknown): value is string => typeof value === 'string' && isUuid(value);

export class TokenService {
  private readonly key: Uint8Array;
  private readonly verifiedAccess = new LRUCache<string, AccessClaims>({ max: 10_000 });

  constructor(private readonly settings: TokenSettings) {
    this.key = new TextEncoder().encode(settings.secret);
  }

  private async sign(typ: string, userId: string, sessionId: string, ttl: number) {
    const jti = randomUUID();
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ sid: sessionId })
      .setProtectedHeader({ alg: 'HS256', typ })
      .setSubject(userId)
      .setIssuer(this.settings.issuer)
      .setAudience(this.settings.audience)
      .setIssuedAt(now)
      .setExpirationTime(now + ttl)
      .setJti(jti)
      .sign(this.key);
    return { token, jti, expiresAt: new Date((now + ttl) * 1000) };
  }

  signAccess(userId: string, sessionId: string) {
    return this.sign(ACCESS_TYP, userId, sessionId, this.settings.accessTtlSeconds);
  }

  signRefresh(userId: string, sessionId: string) {
    return this.sign(REFRESH_TYP, userId, sessionId, this.settings.refreshTtlSeconds);
  }

  private async verify(token: string, typ: string, ttlSeconds: number): Promise<AccessClaims> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key, {
        algorithms: ALGORITHMS,
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        typ,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        // Also refuses an `iat` in the future: no token of ours was issued after now.
        maxTokenAge: ttlSeconds,
        requiredClaims: ['sub', 'exp', 'iat', 'jti', 'iss', 'aud'],
      }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw new TokenError('Token expired');
      throw new TokenError('Invalid token');
    }
    const { sub, sid, jti } = payload;
    // Claims name uuid columns: anything else must not reach PostgreSQL as a cast error.
    if (!isUuidClaim(sub) || !isUuidClaim(sid) || !isUuidClaim(jti)) throw new TokenError('Invalid token');
    return { userId: sub, sessionId: sid, jti, expiresAt: new Date(payload.exp! * 1000) };
  }

  /**
   * Signature checks are memoised per token string: the same bytes verify the same way, and
   * HMAC through WebCrypto was a tenth of a cached read's CPU. Expiry is still checked every
   * time; revocation is the caller's check against the database, as before.
   */
  async verifyAccess(token: string): Promise<AccessClaims> {
    const known = this.verifiedAccess.get(token);
    if (known) {
      if (known.expiresAt.getTime() + CLOCK_TOLERANCE_SECONDS * 1000 <= Date.now()) {
        this.verifiedAccess.delete(token);
        throw new TokenError('Token expired');
      }
      return known;
    }
    const claims = await this.verify(token, ACCESS_TYP, this.settings.accessTtlSeconds);
    this.verifiedAccess.set(token, claims);
    return claims;
  }

  verifyRefresh(token: string): Promise<RefreshClaims> {
    return this.verify(token, REFRESH_TYP, this.settings.refreshTtlSeconds);
  }
}
