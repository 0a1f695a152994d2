import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { LoginLimiter } from '../auth/login-limiter';
import { hashPassword } from '../auth/passwords';
import { ApiKey, AuthSession, StudentProfile, TeacherProfile, User } from '../entities';
import { AuditAction } from '../entities/audit-action';
import { Role } from '../entities/role';
import { badInput, notFound } from '../errors';
import { normalizeEmail } from './auth.service';
import { appendAudit, asUser, type AuditSource } from './audit.service';
import { mapUniqueViolation } from './unique-violation';

export interface NewUser {
  email: string;
  username: string;
  password: string;
  role: Role;
  cohort?: string;
  enrollmentId?: string;
  department?: string;
  cohortsTaught?: string[];
}

const UNIQUE_MESSAGES = {
  users_email_unique: 'That email is already registered',
  users_username_unique: 'That username is taken',
  student_profiles_enrollment_unique: 'That enrollment id is already in use',
};

const newEnrollmentId = () => `E-${randomBytes(5).toString('hex').toUpperCase()}`;

export class UserService {
  constructor(private readonly limiter: LoginLimiter) {}

  /** Creates the user and its role's profile, audited, in one transaction. Self-registration is audited as the new user. */
  async create(em: EntityManager, input: NewUser, source: AuditSource, selfRegistered = false): Promise<User> {
    if (input.role !== Role.STUDENT && (input.cohort || input.enrollmentId)) {
      throw badInput('cohort and enrollmentId apply to students only');
    }
    if (input.role !== Role.TEACHER && (input.department || input.cohortsTaught)) {
      throw badInput('department and cohortsTaught apply to teachers only');
    }
    const passwordHash = await hashPassword(input.password);
    return mapUniqueViolation(
      () =>
        em.transactional(async (tx) => {
          const user = tx.create(User, {
            email: normalizeEmail(input.email),
            username: input.username,
            passwordHash,
            role: input.role,
          });
          if (input.role === Role.STUDENT) {
            tx.create(StudentProfile, {
              user,
              cohort: input.cohort ?? 'unassigned',
              enrollmentId: input.enrollmentId ?? newEnrollmentId(),
            });
          }
          if (input.role === Role.TEACHER) {
            tx.create(TeacherProfile, {
              user,
              department: input.department ?? null,
              cohortsTaught: [...new Set(input.cohortsTaught ?? [])],
            });
          }
          await tx.flush();
          await appendAudit(tx, selfRegistered ? asUser(source, user.id) : source, {
            action: selfRegistered ? AuditAction.REGISTER : AuditAction.USER_CREATED,
            resourceType: 'User',
            resourceId: user.id,
            details: { email: user.email, role: user.role },
          });
          return user;
        }),
      UNIQUE_MESSAGES,
    );
  }

  /** Locks the account, ends every session it has and revokes its API keys, in one transaction; unlocking brings none back. */
  async lock(em: EntityManager, userId: string, byId: string, source: AuditSource): Promise<User> {
    if (userId === byId) throw badInput('You cannot lock your own account');
    return em.transactional(async (tx) => {
      const user = await tx.findOne(User, { id: userId });
      if (!user) throw notFound('User');
      if (!user.lockedAt) user.lockedAt = new Date();
      const sessionsEnded = await tx.nativeUpdate(AuthSession, { user, revokedAt: null }, { revokedAt: new Date(), revokedReason: 'locked' });
      const apiKeysRevoked = await tx.nativeUpdate(ApiKey, { owner: user, revokedAt: null }, { revokedAt: new Date() });
      await appendAudit(tx, source, {
        action: AuditAction.LOCK_USER,
        resourceType: 'User',
        resourceId: user.id,
        details: { sessionsEnded, apiKeysRevoked },
      });
      return user;
    });
  }

  /** Unlocks the account and clears its failed-login count, so the owner can sign in at once. */
  async unlock(em: EntityManager, userId: string, source: AuditSource): Promise<User> {
    const user = await em.transactional(async (tx) => {
      const found = await tx.findOne(User, { id: userId });
      if (!found) throw notFound('User');
      found.lockedAt = null;
      await appendAudit(tx, source, { action: AuditAction.UNLOCK_USER, resourceType: 'User', resourceId: found.id });
      return found;
    });
    await this.limiter.reset(user.email);
    return user;
  }
}
