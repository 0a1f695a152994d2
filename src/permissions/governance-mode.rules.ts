import { and, or } from 'graphql-shield';
import type { Context } from '../context';
import type { GovernanceMode } from '../entities';
import { Role } from '../entities/role';
import { overseer } from './common';
import { modeVisibleSql } from './governance-mode.scope';
import { hasAnyRole, isAuthenticated } from './rules';
import { rowRule } from './row-rule';
import { holdsFor } from './sql-condition';

/** Who may list modes: those modeVisibleSql admits (overseers; admins and teachers, who tag work with them). */
export const modeReader = or(overseer, and(isAuthenticated, hasAnyRole(Role.ADMIN, Role.TEACHER)));

/** Derived from modeVisibleSql; it reads no column, so the viewer alone answers. */
export const canSeeGovernanceMode = rowRule(
  'canSeeGovernanceMode',
  (_mode: GovernanceMode, ctx: Context) => ctx.viewer !== null && holdsFor(modeVisibleSql(ctx.viewer, 'm'), {}),
);
