import { DEMO_STUDENTS, DEMO_TEACHERS } from '../../src/db/seed/accounts';
import { DEMO_PASSWORD } from '../lib/demo-database';
import type { BenchServer } from '../lib/server';
import { attemptEvents, type AttemptRef } from '../monitoring/common';

/*
 * The soak's actors on the demo data: sessions of the admin, the teachers and the students;
 * one exam per teacher made for the soak (the demo exams allow 3 attempts, too few for a
 * steady stream of finished attempts); and one lane per student, an attempt in progress on
 * their cohort's soak exam that proctoring events go into.
 */

export interface Sessions {
  admin: string;
  teachers: string[];
  students: string[];
}

export interface Lane {
  token: string;
  /** Index into Sessions.teachers of the teacher whose exam this is (who, with the admin, sees its flags). */
  teacher: number;
  examId: string;
  attempt: AttemptRef;
  batches: number;
  /** Between its flag and its next attempt: no events go in. */
  busy: boolean;
  /** Its event batches in flight, which must land before the attempt is submitted. */
  pending: Set<Promise<unknown>>;
}

export async function logIn(server: BenchServer): Promise<Sessions> {
  const login = (email: string) => server.login(email, DEMO_PASSWORD);
  return {
    admin: await login('admin@example.edu'),
    teachers: await Promise.all(Array.from({ length: DEMO_TEACHERS }, (_, i) => login(`teacher${i + 1}@example.edu`))),
    students: await Promise.all(Array.from({ length: DEMO_STUDENTS }, (_, i) => login(`student${i + 1}@example.edu`))),
  };
}

const QUESTIONS = [
  { id: 'q1', prompt: '7 × 6?', points: 1, options: ['36', '42', '48'], answer: '42' },
  { id: 'q2', prompt: 'The chemical symbol of iron?', points: 1, answer: 'Fe' },
];

/** Answers right or wrong by `n`, so scores (and the aggregates submitAttempt rewrites) vary. */
export const responses = (n: number) => QUESTIONS.map((q, i) => ({ questionId: q.id, answer: (n >> i) & 1 ? q.answer : 'no idea' }));

/** Each teacher's published soak exam, by teacher index. */
export async function createExams(server: BenchServer, sessions: Sessions): Promise<string[]> {
  return Promise.all(
    sessions.teachers.map(async (token, i) => {
      const { data } = await server.gql<{ createExam: { id: string } }>(
        'mutation($input: CreateExamInput!) { createExam(input: $input) { id } }',
        {
          input: {
            title: `Soak quiz (cohort-${i + 1})`,
            subject: 'Soak',
            maxScore: QUESTIONS.length,
            passingScore: 1,
            // Attempts stay open for the whole soak: events are refused once it is submitted.
            durationMinutes: 1440,
            maxAttempts: 100,
            enableMonitoring: true,
            enableIntegrityAnalysis: true,
            questions: QUESTIONS,
          },
        },
        token,
      );
      await server.gql('mutation($id: ID!) { publishExam(id: $id) { id } }', { id: data.createExam.id }, token);
      return data.createExam.id;
    }),
  );
}

export const START_ATTEMPT = 'mutation StartAttempt($examId: ID!) { startAttempt(examId: $examId) { id startedAt student { id } } }';

export type StartedAttempt = { startAttempt: { id: string; startedAt: string; student: { id: string } } };

export const attemptRef = ({ startAttempt: a }: StartedAttempt): AttemptRef => ({ id: a.id, startedAt: new Date(a.startedAt), studentId: a.student.id });

/** One lane per student (student N is in cohort-((N-1) mod teachers + 1)), each with an attempt started. */
export async function openLanes(server: BenchServer, sessions: Sessions, exams: string[]): Promise<Lane[]> {
  return Promise.all(
    sessions.students.map(async (token, i) => {
      const teacher = i % exams.length;
      const { data } = await server.gql<StartedAttempt>(START_ATTEMPT, { examId: exams[teacher] }, token);
      return { token, teacher, examId: exams[teacher], attempt: attemptRef(data), batches: 0, busy: false, pending: new Set() };
    }),
  );
}

export const RECORD = `mutation RecordMonitoringEvents($attemptId: ID!, $events: [MonitoringEventInput!]!) {
  recordMonitoringEvents(attemptId: $attemptId, events: $events) { accepted duplicates flagged }
}`;

/**
 * The next batch of `size` events of the lane's attempt as a request body, stamped now as a
 * live client would; with `critical`, one of them CRITICAL, which flags the attempt.
 */
export function nextBatch(lane: Lane, size: number, critical: boolean): string {
  const n = lane.batches++;
  const now = new Date();
  const events = [...attemptEvents(lane.attempt, size, n, critical, `b${n}`)].map((e) => ({
    eventId: e.eventId,
    eventType: e.eventType,
    severity: e.severity,
    payload: e.payload,
    isAnomaly: e.isAnomaly,
    anomalyScore: e.anomalyScore,
    description: e.description,
    clientTimestamp: now,
  }));
  return JSON.stringify({ query: RECORD, variables: { attemptId: lane.attempt.id, events } });
}
