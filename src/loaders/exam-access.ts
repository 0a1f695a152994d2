import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { SettlingLoader } from './settled';
import { perTick, type Batching } from './batching';
import type { AccessRegistry, ExamAccess } from '../auth/access-registry';
import { seesEveryone, type Viewer } from '../auth/viewer';
import { executeBound } from '../db/bound-query';
import { uuidArray } from '../db/pg-array';
import { Role } from '../entities/role';
import { examVisibleSql } from '../permissions/exam.scope';

export type { ExamAccess };

const NONE: ExamAccess = { view: false, edit: false, analytics: false };

/** Keys of teacherExamAccess: a teacher's id and an exam's id. */
export const teacherExamKey = (teacherId: string, examId: string) => `${teacherId}\n${examId}`;

/**
 * Teachers' rights on exams, for any number of (teacher, exam) pairs in one statement: a
 * request asks for one teacher; deliveries of a flag to many teachers' subscriptions ask
 * for all of them at once (delivery-sharing.ts), and take from `memory` what it holds
 * (rights no change was announced to since they were read).
 */
export function teacherExamAccessLoader(em: EntityManager, batching: Batching, memory?: AccessRegistry): DataLoader<string, ExamAccess> {
  return new DataLoader(async (keys) => {
    const pairs = keys.map((key) => key.split('\n'));
    const remembered = pairs.map(([teacher, exam]) => memory?.recallExamRights(teacher, exam));
    if (remembered.every(Boolean)) return remembered as ExamAccess[];
    const ticket = memory?.ticket() ?? null;
    const asked = pairs.filter((_pair, i) => !remembered[i]);
    const rows = await executeBound<{ teacher_id: string; id: string; can_view: boolean; can_edit: boolean; can_view_analytics: boolean }>(
      em,
      `select t.teacher_id, e.id, (e.creator_id = t.teacher_id or coalesce(g.can_view, false)) as can_view,
              (e.creator_id = t.teacher_id or coalesce(g.can_edit, false)) as can_edit,
              (e.creator_id = t.teacher_id or coalesce(g.can_view_analytics, false)) as can_view_analytics
         from unnest(?::uuid[], ?::uuid[]) as t(teacher_id, exam_id)
         join exams e on e.id = t.exam_id
         left join teacher_exam_permissions g on g.exam_id = e.id and g.teacher_id = t.teacher_id`,
      [uuidArray(asked.map(([teacher]) => teacher)), uuidArray(asked.map(([, exam]) => exam))],
    );
    const byKey = new Map<string, ExamAccess>();
    for (const r of rows) {
      const rights = { view: r.can_view, edit: r.can_edit, analytics: r.can_view_analytics };
      byKey.set(teacherExamKey(r.teacher_id, r.id), rights);
      // Only rights on an exam that exists: none found is not remembered.
      memory?.rememberExamRights(r.teacher_id, r.id, rights, ticket);
    }
    return keys.map((key, i) => remembered[i] ?? byKey.get(key) ?? NONE);
  }, batching);
}

/**
 * One statement per batch of exam ids: the viewer's rights on each (layer two of row access).
 * A teacher's rights come from `teacherAccess`, which a turn of deliveries shares among teachers.
 */
export function examAccessLoader(
  em: EntityManager,
  viewer: Viewer,
  batching: Batching = perTick,
  teacherAccess = teacherExamAccessLoader(em, batching),
): SettlingLoader<string, ExamAccess> {
  return new SettlingLoader(async (ids) => {
    if (seesEveryone(viewer)) {
      const isAdmin = viewer.user.role === Role.ADMIN;
      return ids.map(() => ({ view: true, edit: isAdmin, analytics: true }));
    }
    if (viewer.user.role === Role.TEACHER) return teacherAccess.loadMany(ids.map((id) => teacherExamKey(viewer.user.id, id)));
    const visible = examVisibleSql(viewer, 'e');
    const rows = await em.execute<{ id: string; can_view: boolean }[]>(
      `select e.id, ${visible.sql} as can_view from exams e where e.id = any (?::uuid[])`,
      [...visible.params, uuidArray([...ids])],
    );
    const byId = new Map(rows.map((r) => [r.id, { view: r.can_view, edit: false, analytics: false }]));
    return ids.map((id) => byId.get(id) ?? NONE);
  }, batching);
}
