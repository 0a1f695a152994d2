import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import type { Viewer } from '../auth/viewer';
import { Exam, ExamAttempt, PerformanceMetrics, StudentProfile, TeacherExamPermission } from '../entities';
import { uuidArray } from '../db/pg-array';
import { attemptVisibleSql } from '../permissions/exam.scope';
import { plainLoaderByColumn } from './by-column';
import { perViewer } from './per-viewer';
import { studentRowsWithProfileById } from './user.loaders';
import { examAccessLoader, teacherExamAccessLoader } from './exam-access';
import { reviewOpenLoader } from './exam-review';
import type { Batching } from './batching';
import type { AccessRegistry } from '../auth/access-registry';

/** The newest `limit` attempts per exam that the viewer may see, in one statement per batch. */
function recentAttemptsLoader(em: EntityManager, viewer: Viewer, limit: number, batching: Batching): DataLoader<string, ExamAttempt[]> {
  return new DataLoader(async (examIds) => {
    const scope = attemptVisibleSql(viewer, 'a');
    const rows = await em.execute<Record<string, unknown>[]>(
      `select * from (
         select a.*, row_number() over (partition by a.exam_id order by a.created_at desc, a.id desc) as recency
           from exam_attempts a where a.exam_id = any (?::uuid[]) and ${scope.sql}) ranked
        where recency <= ? order by created_at desc, id desc`,
      [uuidArray(examIds), ...scope.params, limit],
    );
    const byExam = new Map<string, ExamAttempt[]>(examIds.map((id) => [id, []]));
    for (const { recency: _recency, ...row } of rows) {
      const attempt = em.map(ExamAttempt, row);
      byExam.get(attempt.exam.id)?.push(attempt);
    }
    return examIds.map((id) => byExam.get(id)!);
  }, batching);
}

async function grantsOf(em: EntityManager, examIds: readonly string[]): Promise<TeacherExamPermission[][]> {
  const rows = await em.find(TeacherExamPermission, { exam: { $in: [...examIds] } }, { orderBy: { grantedAt: 'asc' } });
  return examIds.map((id) => rows.filter((g) => g.exam.id === id));
}

export function createExamLoaders(
  em: EntityManager,
  studentProfileByUserId: DataLoader<string, StudentProfile | null>,
  batching: Batching,
  examRights?: AccessRegistry,
) {
  const recent = new Map<string, DataLoader<string, ExamAttempt[]>>();
  const teacherAccess = teacherExamAccessLoader(em, batching, examRights);
  return {
    studentWithProfileById: studentRowsWithProfileById(em, studentProfileByUserId, batching),
    examById: plainLoaderByColumn(em, Exam, 'exams', 'id', batching),
    performanceMetricsByStudentId: plainLoaderByColumn(em, PerformanceMetrics, 'performance_metrics', 'student_id', batching),
    grantsByExamId: new DataLoader((examIds: readonly string[]) => grantsOf(em, examIds), batching),
    examAccess: perViewer((viewer) => examAccessLoader(em, viewer, batching, teacherAccess)),
    reviewOpen: perViewer((viewer) => reviewOpenLoader(em, viewer, batching)),
    recentAttemptsByExamId(viewer: Viewer, limit: number): DataLoader<string, ExamAttempt[]> {
      const key = `${viewer.user.id}:${limit}`;
      if (!recent.has(key)) recent.set(key, recentAttemptsLoader(em, viewer, limit, batching));
      return recent.get(key)!;
    },
  };
}
