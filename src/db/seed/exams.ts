import type { EntityManager } from '@mikro-orm/postgresql';
import type { RequiredEntityData } from '@mikro-orm/core';
import { Exam, ExamAttempt, TeacherExamPermission } from '../../entities';
import { refreshStudentAggregates } from '../../services/exams/aggregates';
import { demoCohortOfStudent, type DemoAccounts } from './accounts';
import { buildExam, completedAttempt, daysAgo, inProgressAttempt, insertInChunks, type GeneratedExam } from './exam-builders';
import { intBelow, seededRng } from './prng';

export const DEMO_EXAMS_PER_TEACHER = 4;
/** A student has at most one attempt per demo exam, so the demo leaves room to take each again. */
export const DEMO_MAX_ATTEMPTS = 3;
const SUBJECTS: [string, string][] = [
  ['Mathematics', 'Linear equations'],
  ['Science', 'Cells and energy'],
  ['Literature', 'Reading poetry'],
  ['History', 'Industrial revolution'],
];

export interface ExamSeedSummary {
  exams: number;
  attempts: number;
  grants: number;
}

/**
 * Teacher K's four published exams for cohort-K; one to three completed attempts per
 * student on their cohort's exams (some flagged, some HIGH_RISK by the scoring rules),
 * one attempt in progress for every tenth student; teacher1 grants teacher2 canView on
 * exactly one of teacher1's exams. Bulk inserts, then the aggregates rebuilt in SQL.
 */
export async function seedExams(em: EntityManager, accounts: DemoAccounts, now = new Date()): Promise<ExamSeedSummary> {
  const rng = seededRng(20261121);
  const examsOfCohort = new Map<string, GeneratedExam[]>();
  accounts.teachers.forEach((teacher, index) => {
    const exams = SUBJECTS.map(([subject, topic], i) =>
      buildExam(rng, { creatorId: teacher.id, title: `${subject} quiz ${i + 1} (cohort-${index + 1})`, subject, topic, createdAt: daysAgo(rng, now, 60 - i), maxAttempts: DEMO_MAX_ATTEMPTS }),
    );
    examsOfCohort.set(`cohort-${index + 1}`, exams);
  });

  const attempts: RequiredEntityData<ExamAttempt>[] = [];
  accounts.students.forEach((student, index) => {
    const exams = examsOfCohort.get(demoCohortOfStudent(index + 1))!;
    const history = { studentId: student.id, ability: 0.2 + 0.75 * rng(), percentages: [] };
    const taken = 1 + intBelow(rng, 3);
    const order = [...exams].sort(() => rng() - 0.5);
    for (let j = 0; j < taken; j++) attempts.push(completedAttempt(rng, order[j], history, daysAgo(rng, now, 40 - 12 * j)));
    if ((index + 1) % 10 === 0) attempts.push(inProgressAttempt(rng, order[taken], student.id, new Date(now.getTime() - 20 * 60_000)));
  });

  const allExams = [...examsOfCohort.values()].flat();
  const [teacher1, teacher2] = accounts.teachers;
  const grant: RequiredEntityData<TeacherExamPermission> = {
    teacher: teacher2.id,
    exam: examsOfCohort.get('cohort-1')![0].id,
    canView: true,
    canEdit: false,
    canViewAnalytics: false,
    grantedBy: teacher1.id,
    grantedAt: now,
  };
  await insertInChunks(em, Exam, allExams.map((e) => e.row));
  await insertInChunks(em, ExamAttempt, attempts);
  await em.insertMany(TeacherExamPermission, [grant]);
  await refreshStudentAggregates(em, accounts.students.map((s) => s.id));
  return { exams: allExams.length, attempts: attempts.length, grants: 1 };
}
