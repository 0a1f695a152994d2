import { rule } from 'graphql-shield';
import type { ApiScope } from '../auth/scopes';
import { hasRole, hasScope } from '../auth/viewer';
import type { Context } from '../context';
import type { Role } from '../entities/role';
import { forbidden, unauthenticated } from '../errors';

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
