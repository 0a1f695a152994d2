import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import { Exam, User } from '../../entities';
import { AuditAction } from '../../entities/audit-action';
import type { RubricQuestion } from '../../entities/exam.entity';
import { badInput, conflict, forbidden, notFound } from '../../errors';
import { examAccessLoader } from '../../loaders/exam-access';
import { appendAudit, type AuditSource } from '../audit.service';

export interface ExamFields {
  title?: string;
  description?: string;
  subject?: string;
  topic?: string;
  maxScore?: number;
  durationMinutes?: number;
  passingScore?: number;
  enableMonitoring?: boolean;
  enableIntegrityAnalysis?: boolean;
  maxAttempts?: number;
  allowReview?: boolean;
  questions?: RubricQuestion[];
  rules?: Record<string, unknown>;
}

/** Fields that decide how attempts are scored: frozen once students may take the exam. */
const SCORING_FIELDS = ['maxScore', 'passingScore', 'subject', 'questions'] as const;

/** Checks that need several fields at once; single fields are validated at the edge. */
function assertScorable(maxScore: number, passingScore: number, questions: RubricQuestion[]) {
  if (passingScore > maxScore) throw badInput('passingScore must not exceed maxScore');
  const ids = new Set(questions.map((q) => q.id));
  if (ids.size !== questions.length) throw badInput('question ids must be unique within the exam');
  const total = Math.round(questions.reduce((sum, q) => sum + q.points, 0) * 100) / 100;
  if (total !== maxScore) throw badInput(`the questions' points add up to ${total}, but maxScore is ${maxScore}`);
}

const rubricOf = (questions: RubricQuestion[]) => ({
  questions: questions.map(({ id, prompt, points, options, answer }) => ({ id, prompt, points, options: options ?? [], answer })),
});

export const questionsOf = (exam: Exam): RubricQuestion[] => exam.metadata.rubric?.questions ?? [];

export class ExamService {
  async create(em: EntityManager, creatorId: string, input: ExamFields & Required<Pick<ExamFields, 'title' | 'subject' | 'maxScore' | 'durationMinutes' | 'passingScore' | 'questions'>>, source: AuditSource): Promise<Exam> {
    assertScorable(input.maxScore, input.passingScore, input.questions);
    return em.transactional(async (tx) => {
      const exam = tx.create(Exam, {
        creator: tx.getReference(User, creatorId),
        title: input.title.trim(),
        description: input.description ?? '',
        subject: input.subject.trim(),
        topic: input.topic ?? null,
        maxScore: input.maxScore,
        durationMinutes: input.durationMinutes,
        passingScore: input.passingScore,
        enableMonitoring: input.enableMonitoring ?? false,
        enableIntegrityAnalysis: input.enableIntegrityAnalysis ?? false,
        maxAttempts: input.maxAttempts ?? 1,
        allowReview: input.allowReview ?? false,
        metadata: { rules: input.rules ?? {}, rubric: rubricOf(input.questions) },
      });
      await tx.flush();
      await appendAudit(tx, source, {
        action: AuditAction.MODIFY_EXAM,
        resourceType: 'Exam',
        resourceId: exam.id,
        details: { operation: 'create', title: exam.title, questions: input.questions.length },
      });
      return exam;
    });
  }

  async update(em: EntityManager, viewer: Viewer, id: string, input: ExamFields, source: AuditSource): Promise<Exam> {
    return em.transactional(async (tx) => {
      const exam = await this.lockEditable(tx, viewer, id);
      const changed = Object.keys(input).filter((k) => input[k as keyof ExamFields] !== undefined);
      if (changed.length === 0) throw badInput('Nothing to change');
      const scoring = SCORING_FIELDS.filter((f) => changed.includes(f));
      if (exam.isPublished && scoring.length > 0) {
        throw conflict(`The exam is published: ${scoring.join(', ')} can no longer change`);
      }
      const questions = input.questions ?? questionsOf(exam);
      assertScorable(input.maxScore ?? exam.maxScore, input.passingScore ?? exam.passingScore, questions);
      const { questions: _q, rules, ...plain } = input;
      for (const [key, value] of Object.entries(plain)) if (value !== undefined) (exam as unknown as Record<string, unknown>)[key] = value;
      exam.metadata = { ...exam.metadata, rules: rules ?? exam.metadata.rules ?? {}, rubric: rubricOf(questions) };
      await tx.flush();
      await appendAudit(tx, source, {
        action: AuditAction.MODIFY_EXAM,
        resourceType: 'Exam',
        resourceId: exam.id,
        details: { operation: 'update', fields: changed },
      });
      return exam;
    });
  }

  async publish(em: EntityManager, viewer: Viewer, id: string, source: AuditSource): Promise<Exam> {
    return em.transactional(async (tx) => {
      const exam = await this.lockEditable(tx, viewer, id);
      if (exam.isPublished) throw conflict('The exam is already published');
      exam.isPublished = true;
      exam.publishedAt = new Date();
      await tx.flush();
      await appendAudit(tx, source, { action: AuditAction.MODIFY_EXAM, resourceType: 'Exam', resourceId: exam.id, details: { operation: 'publish' } });
      return exam;
    });
  }

  /**
   * The exam row, locked so concurrent edits and grants take turns. An exam the viewer
   * may not see does not exist for them; one they see but may not edit is FORBIDDEN.
   */
  async lockEditable(tx: EntityManager, viewer: Viewer, id: string): Promise<Exam> {
    const exam = await tx.findOne(Exam, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    const rights = exam ? await examAccessLoader(tx, viewer).load(id) : null;
    if (!exam || !rights?.view) throw notFound('Exam');
    if (!rights.edit) throw forbidden('You may not edit this exam');
    return exam;
  }
}
