import type { EntityManager } from '@mikro-orm/postgresql';
import { LockMode } from '@mikro-orm/core';
import { checkPassword, decoyHash, hashPassword } from '../auth/passwords';
import type { LoginAttempt, LoginLimiter, Refusal } from '../auth/login-limiter';
import { TokenError, type TokenService } from '../auth/tokens';
import type { Viewer } from '../auth/viewer';
import { AuthSession, RefreshToken, RevokedAccessToken, User } from '../entities';
import { EMAIL_MAX_LENGTH } from '../entities/email';
import { badInput, rateLimited, unauthenticated } from '../errors';
import { AuditAction } from '../entities/audit-action';
import { appendAudit, asUser, type AuditSource } from './audit.service';
import { recordRefusal } from './rate-limit-episodes.service';
import { loginFailures } from '../metrics/metrics';

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

  /** A new session for a user who just proved who they are, audited in the caller's transaction. */
  async startSession(em: EntityManager, user: User, source: AuditSource, action: AuditAction): Promise<IssuedTokens> {
    const session = em.create(AuthSession, { user, ip: source.ip, userAgent: source.userAgent?.slice(0, 512) ?? null });
    em.persist(session);
    const tokens = await this.issue(em, user, session);
    await em.flush();
    await appendAudit(em, asUser(source, user.id), { action, resourceType: 'User', resourceId: user.id, details: { sessionId: session.id } });
    return tokens;
  }

  /** Failed attempts are recorded in their own transaction: the login itself changes nothing. */
  private async auditFailure(em: EntityManager, source: AuditSource, email: string, reason: string, userId?: string) {
    loginFailures.inc();
    await em.transactional((tx) =>
      appendAudit(tx, source, {
        action: AuditAction.LOGIN_FAILED,
        resourceType: userId ? 'User' : null,
        resourceId: userId ?? null,
        details: { email, reason },
      }),
    );
  }

  /** Refused attempts are counted, not audited one by one (recordRefusal), and nothing else runs for them. */
  private async refuse(em: EntityManager, refusal: Refusal, source: AuditSource): Promise<never> {
    await recordRefusal(em, refusal, source);
    throw rateLimited(refusal.retryAfterSeconds);
  }

  /** Registration is limited per address before any hashing. */
  async admitRegistration(em: EntityManager, source: AuditSource): Promise<void> {
    const refusal = await this.limiter.beginRegistration(source.ip ?? 'unknown');
    if (refusal) await this.refuse(em, refusal, source);
  }

  async login(em: EntityManager, rawEmail: string, password: string, source: AuditSource): Promise<IssuedTokens> {
    // No account has a longer one, and the limiter's keys are digests, so nothing longer needs counting.
    if (rawEmail.length > EMAIL_MAX_LENGTH) throw badInput(`email must be at most ${EMAIL_MAX_LENGTH} characters`);
    const email = normalizeEmail(rawEmail);
    const admission = await this.limiter.beginLogin(email, source.ip ?? 'unknown');
    if ('refused' in admission) return this.refuse(em, admission.refused, source);
    const { user, check } = await this.checkCredentials(em, admission.admitted, email, password);
    if (!user || !check.ok) {
      await this.auditFailure(em, source, email, user ? 'wrong_password' : 'unknown_email', user?.id);
      throw unauthenticated('Invalid email or password');
    }
    if (!user.isActive || user.isLocked) {
      await this.auditFailure(em, source, email, user.isLocked ? 'locked' : 'inactive', user.id);
      throw unauthenticated('Account is locked or inactive');
    }
    return em.transactional(async (tx) => {
      const current = tx.merge(user);
      if (check.needsRehash) current.passwordHash = await hashPassword(password);
      current.lastLoginAt = new Date();
      current.lastLoginIp = source.ip;
      return this.startSession(tx, current, source, AuditAction.LOGIN);
    });
  }

  /** The admitted attempt's password check; it ends (and a right password gives its points back) before anything else. */
  private async checkCredentials(em: EntityManager, attempt: LoginAttempt, email: string, password: string) {
    try {
      const user = await em.findOne(User, { email }, { populate: ['passwordHash'] });
      // An unknown email still costs one hash, so timing does not tell which accounts exist.
      const check = await checkPassword(user?.passwordHash ?? (await decoyHash()), password);
      if (user && check.ok) await this.limiter.succeeded(attempt);
      return { user, check };
    } finally {
      attempt.finished();
    }
  }

  async refresh(em: EntityManager, refreshToken: string, source: AuditSource): Promise<IssuedTokens> {
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
        await tx.flush();
        await appendAudit(tx, asUser(source, claims.userId), {
          action: AuditAction.TOKEN_REUSE_DETECTED,
          resourceType: 'User',
          resourceId: claims.userId,
          details: { sessionId: row.session.id },
        });
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

  async logout(em: EntityManager, refreshToken: string, viewer: Viewer | null, source: AuditSource): Promise<boolean> {
    const claims = await this.verifyRefresh(refreshToken);
    await em.transactional(async (tx) => {
      const ended = await tx.nativeUpdate(
        AuthSession,
        { id: claims.sessionId, user: claims.userId, revokedAt: null },
        { revokedAt: new Date(), revokedReason: 'logout' },
      );
      if (viewer?.accessJti && viewer.accessExpiresAt) {
        await tx.upsert(RevokedAccessToken, { jti: viewer.accessJti, expiresAt: viewer.accessExpiresAt });
      }
      if (ended > 0) {
        await appendAudit(tx, asUser(source, claims.userId), {
          action: AuditAction.LOGOUT,
          resourceType: 'User',
          resourceId: claims.userId,
          details: { sessionId: claims.sessionId },
        });
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
