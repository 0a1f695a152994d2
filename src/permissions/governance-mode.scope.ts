import type { FilterQuery } from '@mikro-orm/core';
import { hasRole, type Viewer } from '../auth/viewer';
import type { GovernanceMode } from '../entities';
import { Role } from '../entities/role';
import { oversees } from './governance.scope';
import { everyRow, filterOf, noRow, type SqlCondition } from './sql-condition';

/**
 * The one access predicate for governance modes (alias `m`). Modes are shared names, as
 * projects are: overseers read them, and so do admins and teachers, who tag workflows and
 * LLM calls with them and read them back on their own runs. Students never. The predicate
 * depends on the viewer alone, so the row rule answers it without a statement.
 */
export const modeVisibleSql = (viewer: Viewer, _m: string): SqlCondition =>
  oversees(viewer) || hasRole(viewer, Role.ADMIN, Role.TEACHER) ? everyRow : noRow;

export const visibleModes = (viewer: Viewer): FilterQuery<GovernanceMode> => filterOf('governance_modes', 'm', modeVisibleSql(viewer, 'm'));
