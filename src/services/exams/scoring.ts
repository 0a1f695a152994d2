import { DropoutLabel } from '../../entities/exam-enums';
import type { RubricQuestion } from '../../entities/exam.entity';
import { badInput } from '../../errors';

/*
 * How an attempt is judged. Pure functions: the service, the demo seed and the bench
 * generator all use them, so generated attempts look exactly like submitted ones.
 */

export interface Response {
  questionId: string;
  answer: string;
}

export interface Proctoring {
  tabSwitches?: number | null;
  focusLostSeconds?: number | null;
  copyPasteEvents?: number | null;
  faceNotDetectedSeconds?: number | null;
}

const normalize = (answer: string) => answer.trim().replace(/\s+/g, ' ').toLowerCase();
const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
const clamp01 = (value: number) => Math.min(1, Math.max(0, value));

/** Points for the responses that match the answer key; unknown or repeated questions are the caller's error. */
export function scoreResponses(questions: RubricQuestion[], responses: Response[]): number {
  const byId = new Map(questions.map((q) => [q.id, q]));
  const seen = new Set<string>();
  let score = 0;
  for (const response of responses) {
    const question = byId.get(response.questionId);
    if (!question) throw badInput(`No question ${response.questionId} in this exam`);
    if (seen.has(response.questionId)) throw badInput(`Question ${response.questionId} is answered twice`);
    seen.add(response.questionId);
    if (normalize(response.answer) === normalize(question.answer)) score += question.points;
  }
  return round(score, 2);
}

export interface QuestionReview {
  questionId: string;
  prompt: string;
  points: number;
  answer: string | null;
  correct: boolean;
  pointsAwarded: number;
  correctAnswer: string;
}

/** Per question, what the student answered against the key, judged as scoreResponses judges it. */
export function reviewResponses(questions: RubricQuestion[], responses: Response[]): QuestionReview[] {
  const given = new Map(responses.map((r) => [r.questionId, r.answer]));
  return questions.map((q) => {
    const answer = given.get(q.id) ?? null;
    const correct = answer !== null && normalize(answer) === normalize(q.answer);
    return { questionId: q.id, prompt: q.prompt, points: q.points, answer, correct, pointsAwarded: correct ? q.points : 0, correctAnswer: q.answer };
  });
}

export const percentageOf = (score: number, maxScore: number) => round((score / maxScore) * 100, 2);

/**
 * 1 means no concern. Each proctoring signal costs a share of trust: a tab switch 0.05,
 * a copy/paste 0.1, each second away or unseen 0.002/0.003. A documented starting point
 * (README), not a verdict: it only flags attempts for a teacher to look at.
 */
export function integrityFrom(proctoring: Proctoring | null | undefined): number {
  const p = proctoring ?? {};
  const penalty =
    0.05 * (p.tabSwitches ?? 0) +
    0.002 * (p.focusLostSeconds ?? 0) +
    0.1 * (p.copyPasteEvents ?? 0) +
    0.003 * (p.faceNotDetectedSeconds ?? 0);
  return round(clamp01(1 - penalty), 4);
}

/**
 * Learning momentum: 0.5 is steady, above is improving on the student's earlier average,
 * below is falling behind it. A first attempt has no momentum yet (0.5).
 */
export function lmiFrom(percentage: number, priorAveragePercentage: number | null): number {
  if (priorAveragePercentage === null) return 0.5;
  return round(clamp01(0.5 + (percentage - priorAveragePercentage) / 200), 4);
}

/** Integrity under this is flagged for a teacher's review. */
export const FLAG_BELOW_INTEGRITY = 0.6;

export function classifyRisk(input: { passed: boolean; percentage: number; lmi: number; integrityScore: number | null }): DropoutLabel {
  let risk = 0;
  if (!input.passed) risk += 2;
  if (input.percentage < 40) risk += 1;
  if (input.lmi < 0.4) risk += 1;
  if (input.integrityScore !== null && input.integrityScore < 0.5) risk += 1;
  if (risk >= 4) return DropoutLabel.HIGH_RISK;
  return risk >= 2 ? DropoutLabel.AT_RISK : DropoutLabel.SAFE;
}

export interface Judgement {
  score: number;
  percentage: number;
  passed: boolean;
  integrityScore: number | null;
  lmi: number;
  dropoutLabel: DropoutLabel;
  flagged: boolean;
}

/** Everything stored on a completed attempt, from the exam, the responses and the student's past. */
export function judgeAttempt(input: {
  questions: RubricQuestion[];
  maxScore: number;
  passingScore: number;
  integrityAnalysis: boolean;
  responses: Response[];
  proctoring?: Proctoring | null;
  priorAveragePercentage: number | null;
}): Judgement {
  const score = Math.min(scoreResponses(input.questions, input.responses), input.maxScore);
  const percentage = percentageOf(score, input.maxScore);
  const passed = score >= input.passingScore;
  const integrityScore = input.integrityAnalysis ? integrityFrom(input.proctoring) : null;
  const lmi = lmiFrom(percentage, input.priorAveragePercentage);
  return {
    score,
    percentage,
    passed,
    integrityScore,
    lmi,
    dropoutLabel: classifyRisk({ passed, percentage, lmi, integrityScore }),
    flagged: integrityScore !== null && integrityScore < FLAG_BELOW_INTEGRITY,
  };
}
