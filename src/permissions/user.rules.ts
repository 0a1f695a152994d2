import { rule } from 'graphql-shield';
import { hasRole } from '../auth/viewer';
import type { Context } from '../context';
import type { ApiKey, StudentProfile, TeacherProfile, User } from '../entities';
import { Role } from '../entities/role';
import { rowRule } from './row-rule';
import { seesStudentRecord } from './user.scope';

/*
 * Rules for accounts: users, their profiles and API keys (layer two). The user and profile
 * row rules are derived from the predicates in user.scope.ts; all use `no_cache` (they
 * depend on the row).
 */

/** The caller's own account, or the one that just proved its credentials (Context.signedIn). */
const isSelf = (ctx: Context, userId: string) => ctx.viewer?.user.id === userId || ctx.signedIn === userId;

/**
 * Derived from the one predicate (userVisibleSql): users of a scoped lookup, and those a
 * visible row leads to when its predicate implies theirs, are known visible; any other is
 * asked about by id, one statement per batch, none for admins, auditors and a viewer who
 * may see only themself. Every viewer is within their own predicate, so the viewer's own
 * row needs no question.
 */
export const canSeeUser = rowRule(
  'canSeeUser',
  (user: User, ctx) => isSelf(ctx, user.id) || (ctx.viewer !== null && ctx.loaders.userVisible(ctx.viewer)(user.id)),
);

/** Per-field: private details of an account, for itself, admins and auditors only. */
export const canSeePrivateUserFields = rule('canSeePrivateUserFields', { cache: 'no_cache' })(
  (user: User, _a, ctx: Context) => isSelf(ctx, user.id) || hasRole(ctx.viewer, Role.ADMIN, Role.AUDITOR),
);

export const canSeeStudentProfile = rowRule(
  'canSeeStudentProfile',
  (profile: StudentProfile, ctx) =>
    isSelf(ctx, profile.user.id) || (ctx.viewer !== null && seesStudentRecord(ctx.viewer, { id: profile.user.id, cohort: profile.cohort })),
);

export const canSeeTeacherProfile = rule('canSeeTeacherProfile', { cache: 'no_cache' })(
  (profile: TeacherProfile, _a, ctx: Context) => isSelf(ctx, profile.user.id) || hasRole(ctx.viewer, Role.ADMIN, Role.AUDITOR),
);

export const ownsApiKey = rule('ownsApiKey', { cache: 'no_cache' })(
  (key: ApiKey, _a, ctx: Context) => isSelf(ctx, key.owner.id) || hasRole(ctx.viewer, Role.ADMIN),
);
