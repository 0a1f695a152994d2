import type { EntityManager } from '@mikro-orm/postgresql';
import { LockMode } from '@mikro-orm/core';
import { checkPassword, decoyHash, hashPassword } from '../auth/passwords';
import type { LoginLimiter } from '../auth/login-limiter';
import { TokenError, type TokenService } from '../auth/tokens';
import type { Viewer } from '../auth/viewer';
import { AuthSession, RefreshToken, RevokedAccessToken, User } from '../entities';
import { unauthenticated } from '../errors';
import type { RequestMeta } from './request-meta';

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  accessTokenExpiresAt: Date;
  user: User;
}

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

export class AuthService {
  constructor(
    private readonly tokens: TokenService,
    private readonly limiter: LoginLimiter,
  ) {}

  /** Signs a token pair for the session and stores the refresh token's jti (flushed by the caller's transaction). */
  async issue(em: EntityManager, user: User, session: AuthSession): Promise<IssuedTokens> {
    const access = await this.tokens.signAccess(user.id, session.id);
    const refresh = await this.tokens.signRefresh(user.id, session.id);
    em.persist(em.create(RefreshToken, { jti: refresh.jti, session, expiresAt: refresh.expiresAt }));
    return { accessToken: access.token, refreshToken: refresh.token, accessTokenExpiresAt: access.expiresAt, user };
  }

  async startSession(em: EntityManager, user: User, meta: RequestMeta): Promise<IssuedTokens> {
    const session = em.create(AuthSession, { user, ip: meta.ip, userAgent: meta.userAgent?.slice(0, 512) ?? null });
    em.persist(session);
    return this.issue(em, user, session);
  }

  async login(em: EntityManager, rawEmail: string, password: string, meta: RequestMeta): Promise<IssuedTokens> {
    const email = normalizeEmail(rawEmail);
    await this.limiter.assertAllowed(email, meta.ip);
    const user = await em.findOne(User, { email }, { populate: ['passwordHash'] });
    // An unknown email still costs one hash, so timing does not tell which accounts exist.
    const check = await checkPassword(user?.passwordHash ?? (await decoyHash()), password);
    if (!user || !check.ok) {
      await this.limiter.recordFailure(email, meta.ip);
      throw unauthenticated('Invalid email or password');
    }
    if (!user.isActive || user.isLocked) throw unauthenticated('Account is locked or inactive');
    await this.limiter.reset(email);
    return em.transactional(async (tx) => {
      const current = tx.merge(user);
      if (check.needsRehash) current.passwordHash = await hashPassword(password);
      current.lastLoginAt = new Date();
      current.lastLoginIp = meta.ip;
      return this.startSession(tx, current, meta);
    });
  }

  async refresh(em: EntityManager, refreshToken: string): Promise<IssuedTokens> {
    const claims = await this.verifyRefresh(refreshToken);
    const outcome = await em.transactional(async (tx) => {
      const row = await tx.findOne(
        RefreshToken,
        { jti: claims.jti },
        { lockMode: LockMode.PESSIMISTIC_WRITE, populate: ['session'] },
      );
      if (!row || row.session.revokedAt) return { error: 'Session revoked' } as const;
      if (row.usedAt) {
        // Reuse of a rotated token means it leaked: end the whole family.
        row.session.revokedAt = new Date();
        row.session.revokedReason = 'refresh_reuse';
        return { error: 'Refresh token reuse detected; the session is revoked' } as const;
      }
      const user = await tx.findOne(User, { id: claims.userId });
      if (!user || !user.isActive || user.isLocked) return { error: 'Account is locked or inactive' } as const;
      row.usedAt = new Date();
      return { tokens: await this.issue(tx, user, row.session) } as const;
    });
    if ('error' in outcome) throw unauthenticated(outcome.error);
    return outcome.tokens;
  }

  async logout(em: EntityManager, refreshToken: string, viewer: Viewer | null): Promise<boolean> {
    const claims = await this.verifyRefresh(refreshToken);
    await em.transactional(async (tx) => {
      await tx.nativeUpdate(
        AuthSession,
        { id: claims.sessionId, user: claims.userId, revokedAt: null },
        { revokedAt: new Date(), revokedReason: 'logout' },
      );
      if (viewer?.accessJti && viewer.accessExpiresAt) {
        await tx.upsert(RevokedAccessToken, { jti: viewer.accessJti, expiresAt: viewer.accessExpiresAt });
      }
    });
    return true;
  }

  private async verifyRefresh(token: string) {
    try {
      return await this.tokens.verifyRefresh(token);
    } catch (error) {
      throw unauthenticated(error instanceof TokenError ? `Refresh token: ${error.message.toLowerCase()}` : 'Invalid refresh token');
    }
  }
}
