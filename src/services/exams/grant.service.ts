import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import { TeacherExamPermission, User } from '../../entities';
import { AuditAction } from '../../entities/audit-action';
import { Role } from '../../entities/role';
import { badInput, notFound } from '../../errors';
import { appendAudit, type AuditSource } from '../audit.service';
import type { ExamService } from './exam.service';

export interface GrantRights {
  canView: boolean;
  canEdit: boolean;
  canViewAnalytics: boolean;
}

/** Grants on an exam; whoever may edit the exam (its creator, an editor, an admin) manages them. */
export class GrantService {
  constructor(private readonly exams: ExamService) {}

  async grant(em: EntityManager, viewer: Viewer, teacherId: string, examId: string, rights: GrantRights, source: AuditSource): Promise<TeacherExamPermission> {
    if (!rights.canView && (rights.canEdit || rights.canViewAnalytics)) {
      throw badInput('canEdit and canViewAnalytics need canView; revoke the grant to take every right away');
    }
    if (!rights.canView) throw badInput('A grant without canView gives nothing; use revokeExamPermission');
    return em.transactional(async (tx) => {
      const exam = await this.exams.lockEditable(tx, viewer, examId);
      const teacher = await tx.findOne(User, { id: teacherId });
      if (!teacher || teacher.role !== Role.TEACHER) throw badInput('teacherId must name a teacher');
      if (teacher.id === exam.creator.id) throw badInput('The creator already holds every right on the exam');
      const existing = await tx.findOne(TeacherExamPermission, { teacher, exam });
      const grant = existing ?? tx.create(TeacherExamPermission, { teacher, exam, grantedBy: viewer.user.id });
      Object.assign(grant, rights, { grantedBy: tx.getReference(User, viewer.user.id), grantedAt: new Date() });
      await tx.flush();
      await appendAudit(tx, source, {
        action: AuditAction.MODIFY_EXAM,
        resourceType: 'Exam',
        resourceId: exam.id,
        details: { operation: existing ? 'change_grant' : 'grant', teacherId: teacher.id, ...rights },
      });
      return grant;
    });
  }

  async revoke(em: EntityManager, viewer: Viewer, teacherId: string, examId: string, source: AuditSource): Promise<boolean> {
    return em.transactional(async (tx) => {
      const exam = await this.exams.lockEditable(tx, viewer, examId);
      const removed = await tx.nativeDelete(TeacherExamPermission, { teacher: teacherId, exam });
      if (removed === 0) throw notFound('Grant');
      await appendAudit(tx, source, {
        action: AuditAction.MODIFY_EXAM,
        resourceType: 'Exam',
        resourceId: exam.id,
        details: { operation: 'revoke', teacherId },
      });
      return true;
    });
  }
}
