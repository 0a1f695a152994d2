import type { TestApp } from './app';

/** Demo usernames to ids, straight from the database. */
export async function userIds(app: TestApp): Promise<Record<string, string>> {
  const rows = await app.db.sql('select id, username from users');
  return Object.fromEntries(rows.map((r) => [r.username as string, r.id as string]));
}

/** Ids of the exams a user created, oldest first. */
export async function examIdsOf(app: TestApp, username: string): Promise<string[]> {
  const rows = await app.db.sql(
    `select e.id from exams e join users u on u.id = e.creator_id where u.username = '${username}' order by e.created_at, e.id`,
  );
  return rows.map((r) => r.id as string);
}

const DIGESTED = ['exams', 'exam_attempts', 'teacher_exam_permissions', 'performance_metrics', 'student_profiles', 'audit_logs'];

/** A fingerprint of every row the exam capability writes: equal before and after means nothing changed. */
export async function examDigest(app: TestApp): Promise<Record<string, string>> {
  const entries = await Promise.all(
    DIGESTED.map(async (table) => {
      const [row] = await app.db.sql(`select count(*) || ':' || coalesce(md5(string_agg(t::text, '|' order by t::text)), '') as d from ${table} t`);
      return [table, row.d as string] as const;
    }),
  );
  return Object.fromEntries(entries);
}

export function examInput(overrides: Record<string, unknown> = {}) {
  return {
    title: 'Fractions check',
    subject: 'Mathematics',
    topic: 'Fractions',
    maxScore: 10,
    passingScore: 6,
    durationMinutes: 20,
    enableMonitoring: true,
    enableIntegrityAnalysis: true,
    questions: [
      { id: 'q1', prompt: '1/2 + 1/4?', points: 4, options: ['3/4', '2/6'], answer: '3/4' },
      { id: 'q2', prompt: '2/3 of 9?', points: 3, answer: '6' },
      { id: 'q3', prompt: '0.25 as a fraction?', points: 3, answer: '1/4' },
    ],
    rules: { calculator: false },
    ...overrides,
  };
}
