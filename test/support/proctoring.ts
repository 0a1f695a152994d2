import { CreateExamDocument, PublishExamDocument, StartExamAttemptDocument, type MonitoringEventInput } from '../generated/graphql';
import type { gqlClient, loginWith } from './app';
import { examInput } from './exams';

/** A server as seen from outside: its GraphQL client and a demo login. */
export interface Remote {
  gql: ReturnType<typeof gqlClient>;
  login: ReturnType<typeof loginWith>;
}

/** An attempt in progress by student1 on a new exam of teacher1; events come from the student's own session. */
export async function attemptInProgress(server: Remote) {
  const teacher = await server.login('teacher1@example.edu');
  const student = await server.login('student1@example.edu');
  const exam = await server.gql(CreateExamDocument, { input: examInput({ title: `Proctored ${Math.random()}` }) }, { token: teacher });
  await server.gql(PublishExamDocument, { id: exam.data!.createExam.id }, { token: teacher });
  const started = await server.gql(StartExamAttemptDocument, { examId: exam.data!.createExam.id }, { token: student });
  return { attemptId: started.data!.startAttempt.id, student };
}

/** A warning and a critical event: the critical one flags the attempt (and updates the student's profile). */
export const criticalEvents = (prefix: string): MonitoringEventInput[] => [
  { eventId: `${prefix}-gaze`, eventType: 'eye_movement', severity: 'WARNING', clientTimestamp: new Date().toISOString() },
  { eventId: `${prefix}-tab`, eventType: 'window_focus', severity: 'CRITICAL', clientTimestamp: new Date().toISOString() },
];
