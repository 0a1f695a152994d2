import type { EntityManager } from '@mikro-orm/postgresql';
import type { EntityName, RequiredEntityData } from '@mikro-orm/core';
import { Exam, ExamAttempt } from '../../entities';
import { AttemptStatus } from '../../entities/exam-enums';
import type { RubricQuestion } from '../../entities/exam.entity';
import { judgeAttempt, type Proctoring } from '../../services/exams/scoring';
import { intBelow, pick, uuidFrom, type Rng } from './prng';

/*
 * Builders for generated exams and attempts, shared by the demo seed and the bench data
 * generator. Attempts are judged with the same functions as submitAttempt, so generated
 * rows are indistinguishable from submitted ones, and the aggregates are then rebuilt
 * from them with the same SQL.
 */

const OPTIONS = ['A', 'B', 'C', 'D'];
const DAY = 86_400_000;

export interface GeneratedExam {
  id: string;
  creatorId: string;
  maxScore: number;
  passingScore: number;
  durationMinutes: number;
  enableMonitoring: boolean;
  enableIntegrityAnalysis: boolean;
  questions: RubricQuestion[];
  row: RequiredEntityData<Exam>;
}

export function buildExam(
  rng: Rng,
  input: { creatorId: string; title: string; subject: string; topic: string; createdAt: Date; maxAttempts: number },
): GeneratedExam {
  const count = 5;
  const questions: RubricQuestion[] = Array.from({ length: count }, (_, i) => ({
    id: `q${i + 1}`,
    prompt: `${input.topic}: question ${i + 1}`,
    points: 20,
    options: OPTIONS,
    answer: pick(rng, OPTIONS),
  }));
  const exam = {
    id: uuidFrom(rng),
    creatorId: input.creatorId,
    maxScore: 100,
    passingScore: 60,
    durationMinutes: 30 + 15 * intBelow(rng, 3),
    enableMonitoring: true,
    enableIntegrityAnalysis: rng() < 0.85,
    questions,
  };
  const publishedAt = new Date(input.createdAt.getTime() + 3_600_000);
  return {
    ...exam,
    row: {
      id: exam.id,
      creator: input.creatorId,
      title: input.title,
      description: `${input.topic} (${input.subject})`,
      subject: input.subject,
      topic: input.topic,
      maxScore: exam.maxScore,
      passingScore: exam.passingScore,
      durationMinutes: exam.durationMinutes,
      isPublished: true,
      publishedAt,
      enableMonitoring: exam.enableMonitoring,
      enableIntegrityAnalysis: exam.enableIntegrityAnalysis,
      maxAttempts: input.maxAttempts,
      metadata: { rules: { openBook: false, calculator: input.subject === 'Mathematics' }, rubric: { questions } },
      createdAt: input.createdAt,
      updatedAt: publishedAt,
    },
  };
}

/** Roughly one attempt in eight comes from a distracted or dishonest session. */
function proctoringFor(rng: Rng): Proctoring {
  if (rng() < 0.125) {
    return { tabSwitches: 4 + intBelow(rng, 9), focusLostSeconds: 60 + intBelow(rng, 240), copyPasteEvents: intBelow(rng, 3), faceNotDetectedSeconds: intBelow(rng, 90) };
  }
  return { tabSwitches: intBelow(rng, 2), focusLostSeconds: intBelow(rng, 20), copyPasteEvents: 0, faceNotDetectedSeconds: intBelow(rng, 5) };
}

export interface StudentHistory {
  studentId: string;
  /** Chance of answering a question right. */
  ability: number;
  percentages: number[];
}

const average = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : null);

/** A completed attempt, judged as submitAttempt would judge it; updates the student's history. */
export function completedAttempt(rng: Rng, exam: GeneratedExam, student: StudentHistory, startedAt: Date): RequiredEntityData<ExamAttempt> {
  const drift = (rng() - 0.5) * 0.3;
  const responses = exam.questions.map((q) => ({
    questionId: q.id,
    answer: rng() < student.ability + drift ? q.answer : pick(rng, OPTIONS.filter((o) => o !== q.answer)),
  }));
  const proctoring = proctoringFor(rng);
  const judgement = judgeAttempt({
    questions: exam.questions,
    maxScore: exam.maxScore,
    passingScore: exam.passingScore,
    integrityAnalysis: exam.enableIntegrityAnalysis,
    responses,
    proctoring,
    priorAveragePercentage: average(student.percentages),
  });
  student.percentages.push(judgement.percentage);
  const durationSeconds = 120 + intBelow(rng, exam.durationMinutes * 60 - 120);
  const completedAt = new Date(startedAt.getTime() + durationSeconds * 1000);
  return {
    id: uuidFrom(rng),
    exam: exam.id,
    student: student.studentId,
    status: AttemptStatus.COMPLETED,
    maxScore: exam.maxScore,
    ...judgement,
    startedAt,
    completedAt,
    durationSeconds,
    submissionData: { responses, drafts: null },
    metadata: metadataFor(rng, exam, proctoring),
    createdAt: startedAt,
    updatedAt: completedAt,
  };
}

export function inProgressAttempt(rng: Rng, exam: GeneratedExam, studentId: string, startedAt: Date): RequiredEntityData<ExamAttempt> {
  return {
    id: uuidFrom(rng),
    exam: exam.id,
    student: studentId,
    status: AttemptStatus.IN_PROGRESS,
    maxScore: exam.maxScore,
    // Every column spelled out: a multi-row insert takes its column list from the rows.
    score: null,
    percentage: null,
    passed: null,
    integrityScore: null,
    lmi: null,
    dropoutLabel: null,
    flagged: false,
    startedAt,
    completedAt: null,
    durationSeconds: null,
    submissionData: {},
    metadata: metadataFor(rng, exam, null),
    createdAt: startedAt,
    updatedAt: startedAt,
  };
}

function metadataFor(rng: Rng, exam: GeneratedExam, observed: Proctoring | null) {
  return {
    clientIp: `10.${intBelow(rng, 256)}.${intBelow(rng, 256)}.${1 + intBelow(rng, 254)}`,
    browser: pick(rng, ['Firefox 128', 'Chrome 126', 'Safari 17']),
    proctoring: {
      monitoring: exam.enableMonitoring,
      integrityAnalysis: exam.enableIntegrityAnalysis,
      ...(observed ? { observed } : {}),
    },
  };
}

/** `days` days before `now`, plus a random part of a day. */
export const daysAgo = (rng: Rng, now: Date, days: number) => new Date(now.getTime() - days * DAY - intBelow(rng, DAY / 2));

/** Multi-row inserts in chunks that stay under PostgreSQL's 65,535 bind parameters. */
export async function insertInChunks<T extends object>(em: EntityManager, entity: EntityName<T>, rows: RequiredEntityData<T>[], chunk = 1000): Promise<void> {
  for (let i = 0; i < rows.length; i += chunk) await em.insertMany<T>(entity, rows.slice(i, i + chunk));
}
