import type { GraphQLResolveInfo } from 'graphql';
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

const isSelf = (ctx: Context, userId: string) => ctx.viewer?.user.id === userId;

/**
 * Rows inside an AuthPayload belong to whoever just proved the credentials (login,
 * register, refresh), before any viewer exists on the request.
 */
function insideAuthPayload(info: GraphQLResolveInfo): boolean {
  for (let at = info.path.prev; at; at = at.prev) if (at.typename === 'AuthPayload') return true;
  return false;
}

/**
 * Derived from the one predicate (userVisibleSql): users of a scoped lookup, and those a
 * visible row leads to when its predicate implies theirs, are known visible; any other is
 * asked about by id, one statement per batch, none for admins, auditors and a viewer who
 * may see only themself. Every viewer is within their own predicate, so the viewer's own
 * row needs no question.
 */
export const canSeeUser = rowRule(
  'canSeeUser',
  (user: User, ctx) => ctx.viewer !== null && (isSelf(ctx, user.id) || ctx.loaders.userVisible(ctx.viewer)(user.id)),
  insideAuthPayload,
);

/** Per-field: private details of an account, for itself, admins and auditors only. */
export const canSeePrivateUserFields = rule('canSeePrivateUserFields', { cache: 'no_cache' })(
  (user: User, _a, ctx: Context, info) =>
    insideAuthPayload(info) || isSelf(ctx, user.id) || hasRole(ctx.viewer, Role.ADMIN, Role.AUDITOR),
);

export const canSeeStudentProfile = rowRule(
  'canSeeStudentProfile',
  (profile: StudentProfile, ctx) => ctx.viewer !== null && seesStudentRecord(ctx.viewer, { id: profile.user.id, cohort: profile.cohort }),
  insideAuthPayload,
);

export const canSeeTeacherProfile = rule('canSeeTeacherProfile', { cache: 'no_cache' })(
  (profile: TeacherProfile, _a, ctx: Context, info) =>
    insideAuthPayload(info) || isSelf(ctx, profile.user.id) || hasRole(ctx.viewer, Role.ADMIN, Role.AUDITOR),
);

export const ownsApiKey = rule('ownsApiKey', { cache: 'no_cache' })(
  (key: ApiKey, _a, ctx: Context) => isSelf(ctx, key.owner.id) || hasRole(ctx.viewer, Role.ADMIN),
);
