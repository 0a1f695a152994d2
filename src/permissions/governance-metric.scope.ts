import type { Viewer } from '../auth/viewer';
import { oversees } from './governance.scope';
import { everyRow, noRow, type SqlCondition } from './sql-condition';

/**
 * The one access predicate for governance metric samples (alias `g`): overseers (admins and
 * auditors, an API key with `read`) every sample, nobody else any. Samples count everyone's
 * work, so no part of them belongs to a teacher or a student. It depends on the viewer alone,
 * so the row rule answers it without a statement; the series query filters with it too.
 */
export const metricVisibleSql = (viewer: Viewer, _g: string): SqlCondition => (oversees(viewer) ? everyRow : noRow);
