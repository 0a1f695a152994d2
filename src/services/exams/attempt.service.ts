import { CheckConstraintViolationException, LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import { Exam, ExamAttempt, StudentProfile } from '../../entities';
import { AttemptStatus } from '../../entities/exam-enums';
import { conflict, notFound } from '../../errors';
import { examForStudentSql } from '../../permissions/exam.scope';
import { mapUniqueViolation } from '../unique-violation';
import { refreshStudentAggregates } from './aggregates';
import { questionsOf } from './exam.service';
import { existingId } from './ids';
import { judgeAttempt, type Proctoring, type Response } from './scoring';

export interface Submission {
  responses: Response[];
  drafts?: Record<string, unknown> | null;
  proctoring?: Proctoring | null;
}

export interface ClientInfo {
  ip: string;
  userAgent: string | null;
}

/**
 * The attempt limit lives in the database (a trigger that takes turns per exam and student),
 * so it holds however many starts race; its refusal becomes a CONFLICT that says why.
 */
async function withinAttemptLimit<T>(exam: Exam, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof CheckConstraintViolationException && (error as { constraint?: string }).constraint === 'exam_attempts_max_attempts_check') {
      throw conflict(`You have used all ${exam.maxAttempts} attempt(s) this exam allows`);
    }
    throw error;
  }
}

export class AttemptService {
  /** A student starts a published exam they may see; one attempt in progress per exam, at most maxAttempts in all. */
  async start(em: EntityManager, viewer: Viewer, examId: string, client: ClientInfo): Promise<ExamAttempt> {
    existingId(examId, 'Exam');
    // Exams of the student's teachers exist for them even before publication, so that
    // starting one too early is a clear CONFLICT rather than a puzzling NOT_FOUND.
    const forStudent = examForStudentSql(viewer, 'e');
    const [row] = await em.execute<{ id: string }[]>(`select e.id from exams e where e.id = ? and ${forStudent.sql}`, [examId, ...forStudent.params]);
    if (!row) throw notFound('Exam');
    const exam = await em.findOneOrFail(Exam, { id: examId });
    if (!exam.isPublished) throw conflict('The exam is not published yet');
    const insert = () =>
      em.transactional(async (tx) => {
        const open = await tx.count(ExamAttempt, { exam, student: viewer.user.id, status: AttemptStatus.IN_PROGRESS });
        if (open > 0) throw conflict('You already have an attempt in progress on this exam');
        const attempt = tx.create(ExamAttempt, {
          exam,
          student: viewer.user.id,
          maxScore: exam.maxScore,
          metadata: {
            clientIp: client.ip,
            browser: client.userAgent,
            proctoring: { monitoring: exam.enableMonitoring, integrityAnalysis: exam.enableIntegrityAnalysis },
          },
        });
        await tx.flush();
        return attempt;
      });
    return mapUniqueViolation(
      () => withinAttemptLimit(exam, insert),
      { exam_attempts_one_in_progress: 'You already have an attempt in progress on this exam' },
    );
  }

  /**
   * Scores the attempt and rewrites the student's aggregates in one transaction. The
   * attempt row lock makes a second submission wait and then see COMPLETED; the profile
   * row lock makes one student's submissions take turns, so aggregates see every attempt.
   */
  async submit(em: EntityManager, viewer: Viewer, attemptId: string, submission: Submission): Promise<ExamAttempt> {
    existingId(attemptId, 'Attempt');
    return em.transactional(async (tx) => {
      const attempt = await tx.findOne(
        ExamAttempt,
        { id: attemptId, student: viewer.user.id },
        { lockMode: LockMode.PESSIMISTIC_WRITE },
      );
      if (!attempt) throw notFound('Attempt');
      if (attempt.status !== AttemptStatus.IN_PROGRESS) throw conflict(`The attempt is already ${attempt.status.toLowerCase()}`);
      await tx.findOneOrFail(StudentProfile, { user: viewer.user.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const exam = await tx.findOneOrFail(Exam, { id: attempt.exam.id });
      const [prior] = await tx.execute<{ average: string | null }[]>(
        `select avg(percentage) as average from exam_attempts where student_id = ? and status = 'COMPLETED'`,
        [viewer.user.id],
      );
      const judgement = judgeAttempt({
        questions: questionsOf(exam),
        maxScore: attempt.maxScore,
        passingScore: exam.passingScore,
        integrityAnalysis: exam.enableIntegrityAnalysis,
        responses: submission.responses,
        proctoring: submission.proctoring,
        priorAveragePercentage: prior.average === null ? null : Number(prior.average),
      });
      const completedAt = new Date(Math.max(Date.now(), attempt.startedAt.getTime()));
      Object.assign(attempt, judgement, {
        // A flag raised by proctoring events during the attempt stands, whatever the score says.
        flagged: judgement.flagged || attempt.flagSeverity != null,
        status: AttemptStatus.COMPLETED,
        completedAt,
        durationSeconds: Math.floor((completedAt.getTime() - attempt.startedAt.getTime()) / 1000),
        submissionData: {
          responses: submission.responses.map(({ questionId, answer }) => ({ questionId, answer })),
          drafts: submission.drafts ?? null,
        },
        metadata: { ...attempt.metadata, proctoring: { ...(attempt.metadata.proctoring as object), observed: { ...submission.proctoring } } },
      });
      await tx.flush();
      await refreshStudentAggregates(tx, [viewer.user.id]);
      return attempt;
    });
  }
}
