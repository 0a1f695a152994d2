import type { EntityManager } from '@mikro-orm/postgresql';
import { SettlingLoader } from './settled';
import { seesEveryone, type Viewer } from '../auth/viewer';
import { uuidArray } from '../db/pg-array';
import { Role } from '../entities/role';
import { examVisibleSql } from '../permissions/exam.scope';

/** What the viewer may do with one exam. The creator holds all three rights. */
export interface ExamAccess {
  view: boolean;
  edit: boolean;
  analytics: boolean;
}

const NONE: ExamAccess = { view: false, edit: false, analytics: false };

/** One statement per batch of exam ids: the viewer's rights on each (layer two of row access). */
export function examAccessLoader(em: EntityManager, viewer: Viewer): SettlingLoader<string, ExamAccess> {
  return new SettlingLoader(async (ids) => {
    if (seesEveryone(viewer)) {
      const isAdmin = viewer.user.role === Role.ADMIN;
      return ids.map(() => ({ view: true, edit: isAdmin, analytics: true }));
    }
    const rows = await em.execute<{ id: string; can_view: boolean; can_edit: boolean; can_view_analytics: boolean }[]>(
      ...accessQuery(viewer, [...ids]),
    );
    const byId = new Map(rows.map((r) => [r.id, { view: r.can_view, edit: r.can_edit, analytics: r.can_view_analytics }]));
    return ids.map((id) => byId.get(id) ?? NONE);
  });
}

function accessQuery(viewer: Viewer, ids: string[]): [string, unknown[]] {
  const me = viewer.user.id;
  if (viewer.user.role === Role.TEACHER) {
    return [
      `select e.id, (e.creator_id = ? or coalesce(g.can_view, false)) as can_view,
              (e.creator_id = ? or coalesce(g.can_edit, false)) as can_edit,
              (e.creator_id = ? or coalesce(g.can_view_analytics, false)) as can_view_analytics
         from exams e left join teacher_exam_permissions g on g.exam_id = e.id and g.teacher_id = ?
        where e.id = any (?::uuid[])`,
      [me, me, me, me, uuidArray(ids)],
    ];
  }
  const visible = examVisibleSql(viewer, 'e');
  return [
    `select e.id, ${visible.sql} as can_view, false as can_edit, false as can_view_analytics
       from exams e where e.id = any (?::uuid[])`,
    [...visible.params, uuidArray(ids)],
  ];
}
