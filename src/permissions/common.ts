import { and } from 'graphql-shield';
import { Role } from '../entities/role';
import { hasAnyRole, isAuthenticated, isSession, scope } from './rules';

/** Signed in, and an API key (if used) has the `read` scope. */
export const reader = and(isAuthenticated, scope('read'));
/** An admin with a real session: account management is never done with an API key. */
export const admin = and(isAuthenticated, isSession, hasAnyRole(Role.ADMIN));
/** Admins and auditors, for read-only oversight. */
export const overseer = and(reader, hasAnyRole(Role.ADMIN, Role.AUDITOR));
