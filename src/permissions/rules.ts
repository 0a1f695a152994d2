import type { GraphQLResolveInfo } from 'graphql';
import { rule } from 'graphql-shield';
import type { ApiScope } from '../auth/scopes';
import { hasRole, hasScope } from '../auth/viewer';
import type { Context } from '../context';
import { ApiKey, StudentProfile, TeacherProfile, User } from '../entities';
import { Role } from '../entities/role';
import { forbidden, unauthenticated } from '../errors';
import { rowRule } from './row-rule';
import { seesStudentRecord } from './user.scope';

/*
 * Rules that read the parent row or the arguments use `no_cache`: shield's `contextual`
 * cache is keyed by rule name alone and would reuse the first row's answer for every row.
 */

export const allow = rule('allow', { cache: 'no_cache' })(() => true);

export const isAuthenticated = rule('isAuthenticated', { cache: 'contextual' })(
  (_p, _a, ctx: Context) => ctx.viewer !== null || unauthenticated(ctx.authError ?? 'Authentication required'),
);

/** Account management needs a real login: API keys cannot mint keys or manage users. */
export const isSession = rule('isSession', { cache: 'contextual' })(
  (_p, _a, ctx: Context) => ctx.viewer?.via === 'session' || forbidden('This operation needs a user session, not an API key'),
);

type Rule = ReturnType<ReturnType<typeof rule>>;

/** One instance per rule name: shield refuses two different rules under one name. */
const named = new Map<string, Rule>();
const once = (name: string, make: () => Rule): Rule => {
  if (!named.has(name)) named.set(name, make());
  return named.get(name)!;
};

export const hasAnyRole = (...roles: Role[]) =>
  once(`hasRole:${roles.join(',')}`, () =>
    rule(`hasRole:${roles.join(',')}`, { cache: 'contextual' })(
      (_p, _a, ctx: Context) => hasRole(ctx.viewer, ...roles) || forbidden(`Requires role ${roles.join(' or ')}`),
    ),
  );

/** A session has every scope; an API key only those it was given. */
export const scope = (needed: ApiScope) =>
  once(`scope:${needed}`, () =>
    rule(`scope:${needed}`, { cache: 'contextual' })(
      (_p, _a, ctx: Context) =>
        (ctx.viewer !== null && hasScope(ctx.viewer, needed)) || forbidden(`This API key lacks the ${needed} scope`),
    ),
  );

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
