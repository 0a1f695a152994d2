import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import type { Batching } from './batching';
import type { Viewer } from '../auth/viewer';
import { uuidArray } from '../db/pg-array';

/**
 * Per exam: whether the viewer (a student) may now review their answers. Only when the
 * exam allows review and every attempt it allows is used and none is still open: before
 * that, per-question results would tell a student what to change in the next attempt.
 * One statement per batch.
 */
export function reviewOpenLoader(em: EntityManager, viewer: Viewer, batching: Batching): DataLoader<string, boolean> {
  return new DataLoader(async (examIds) => {
    const rows = await em.execute<{ id: string; open: boolean }[]>(
      `select e.id, e.allow_review and count(a.id) >= e.max_attempts
                    and count(a.id) filter (where a.status = 'IN_PROGRESS') = 0 as open
         from exams e left join exam_attempts a on a.exam_id = e.id and a.student_id = ?
        where e.id = any (?::uuid[]) group by e.id`,
      [viewer.user.id, uuidArray(examIds)],
    );
    const open = new Map(rows.map((r) => [r.id, r.open]));
    return examIds.map((id) => open.get(id) ?? false);
  }, batching);
}
