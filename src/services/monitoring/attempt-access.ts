import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import type { AttemptStatus } from '../../entities/exam-enums';
import type { FlagSeverity } from '../../entities/monitoring-enums';
import { examVisibleSql } from '../../permissions/exam.scope';

/** An attempt with what proctoring reads and writes need, and whether the viewer may view its exam. */
export interface AttemptAccess {
  id: string;
  student_id: string;
  exam_id: string;
  status: AttemptStatus;
  started_at: string;
  flag_severity: FlagSeverity | null;
  visible: boolean;
}

/**
 * One statement: the attempt and the exam scope's answer for it (the same predicate as every
 * exam list). `lock` takes the attempt row until the caller's transaction ends.
 */
export async function attemptAccess(em: EntityManager, viewer: Viewer, attemptId: string, lock = false): Promise<AttemptAccess | undefined> {
  const visible = examVisibleSql(viewer, 'e');
  const [attempt] = await em.execute<AttemptAccess[]>(
    `select a.id, a.student_id, a.exam_id, a.status, a.started_at, a.flag_severity, ${visible.sql} as visible
       from exam_attempts a join exams e on e.id = a.exam_id
      where a.id = ?${lock ? ' for update of a' : ''}`,
    [...visible.params, attemptId],
  );
  return attempt;
}
