import { AssessmentStatsAllDocument, AttemptStatsAllDocument, MonitoringStatsAllDocument } from '../generated/graphql';
import type { TestApp } from '../support/app';
import type { LeakFixture } from './fixture';
import type { Oracle } from './oracle';

/*
 * The leak oracle applied to grouped statistics: each group a caller gets back is recomputed
 * from the rows the oracle says that caller may see, so a group holding one row outside the
 * caller's rights (a cohort they do not teach, an exam they may not view) shows as a
 * difference in its key or its count.
 */

type Viewer = LeakFixture['viewers'][number];

interface Grouping {
  label: string;
  /** The entity whose visible rows the groups are recomputed from. */
  entity: string;
  /** Each row's id and key columns, named as the answer's key fields. */
  rows: string;
  ask: (app: TestApp, auth: Viewer['auth']) => Promise<{ errors?: unknown[]; rows: { key: Record<string, unknown>; values: { count?: number | null } }[] | null }>;
  /** Students are refused STUDENT, so their groupings leave it out. */
  forStudents: boolean;
}

const SINCE = new Date(Date.UTC(2000, 0, 1)).toISOString();

export const GROUPINGS: Grouping[] = [
  {
    label: 'assessmentStats by COHORT, SKILL',
    entity: 'SkillAssessment',
    rows: `select a.id, p.cohort, a.skill_type as skill from skill_assessments a left join student_profiles p on p.user_id = a.student_id`,
    ask: async (app, auth) => {
      const r = await app.gql(AssessmentStatsAllDocument, { groupBy: ['COHORT', 'SKILL'], metrics: ['COUNT'] }, auth);
      return { errors: r.errors, rows: r.data?.assessmentStats.rows ?? null };
    },
    forStudents: true,
  },
  {
    label: 'assessmentStats by STUDENT, MONTH',
    entity: 'SkillAssessment',
    rows: `select id, student_id as "studentId", date_trunc('month', created_at, 'UTC') as month from skill_assessments`,
    ask: async (app, auth) => {
      const r = await app.gql(AssessmentStatsAllDocument, { groupBy: ['STUDENT', 'MONTH'], metrics: ['COUNT'], filter: { from: SINCE } }, auth);
      return { errors: r.errors, rows: r.data?.assessmentStats.rows ?? null };
    },
    forStudents: false,
  },
  {
    label: 'attemptStats by EXAM, COHORT, STATUS',
    entity: 'ExamAttempt',
    rows: `select a.id, a.exam_id as "examId", p.cohort, a.status from exam_attempts a left join student_profiles p on p.user_id = a.student_id`,
    ask: async (app, auth) => {
      const r = await app.gql(AttemptStatsAllDocument, { groupBy: ['EXAM', 'COHORT', 'STATUS'], metrics: ['COUNT'] }, auth);
      return { errors: r.errors, rows: r.data?.attemptStats.rows ?? null };
    },
    forStudents: true,
  },
  {
    label: 'attemptStats by STUDENT, SUBJECT',
    entity: 'ExamAttempt',
    rows: `select a.id, a.student_id as "studentId", e.subject from exam_attempts a join exams e on e.id = a.exam_id`,
    ask: async (app, auth) => {
      const r = await app.gql(AttemptStatsAllDocument, { groupBy: ['STUDENT', 'SUBJECT'], metrics: ['COUNT'] }, auth);
      return { errors: r.errors, rows: r.data?.attemptStats.rows ?? null };
    },
    forStudents: false,
  },
  {
    label: 'monitoringStats by EXAM, ATTEMPT, SEVERITY',
    entity: 'MonitoringEvent',
    rows: `select m.id, a.exam_id as "examId", m.attempt_id as "attemptId", m.severity from monitoring_events m join exam_attempts a on a.id = m.attempt_id`,
    ask: async (app, auth) => {
      const r = await app.gql(MonitoringStatsAllDocument, { groupBy: ['EXAM', 'ATTEMPT', 'SEVERITY'], metrics: ['COUNT'] }, auth);
      return { errors: r.errors, rows: r.data?.monitoringStats.rows ?? null };
    },
    forStudents: true,
  },
];

/** A key value as text: dates from the database and from the answer both as ISO 8601. */
function text(value: unknown): string | null {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  return null;
}

const keyOf = (row: Record<string, unknown>, fields: string[]) => JSON.stringify(fields.map((f) => text(row[f])));

/**
 * Differences between what the caller got and the groups of the rows the oracle lets them see,
 * as `key: got n, expected m` lines. A refusal is a difference only when the caller may see rows.
 */
export async function aggregateFindings(app: TestApp, oracle: Oracle, viewer: Viewer, grouping: Grouping): Promise<string[]> {
  const visible = await oracle.visibleRows(viewer, grouping.entity);
  const all = await app.db.sql(grouping.rows);
  const fields = Object.keys(all[0] ?? {}).filter((f) => f !== 'id');
  const expected = new Map<string, number>();
  for (const row of all.filter((r) => visible.has(String(r.id)))) {
    const key = keyOf(row, fields);
    expected.set(key, (expected.get(key) ?? 0) + 1);
  }
  const answer = await grouping.ask(app, viewer.auth);
  if (!answer.rows) return expected.size ? [`refused, though ${visible.size} rows are visible`] : [];
  const got = new Map(answer.rows.map((r) => [keyOf(r.key, fields), r.values.count ?? 0]));
  return [...new Set([...expected.keys(), ...got.keys()])]
    .filter((key) => got.get(key) !== expected.get(key))
    .map((key) => `${key}: got ${got.get(key) ?? 'no group'}, expected ${expected.get(key) ?? 'no group'}`);
}
