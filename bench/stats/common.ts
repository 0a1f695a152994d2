import type { ClientBase } from 'pg';

/** Skill assessments the issue-18 benchmark adds to the monitoring benchmark's database. */
export const ASSESSMENTS = Number(process.env.BENCH_ASSESSMENTS ?? 2_000_000);

/** Whether the database holds the benchmark's assessments, all of them (a load cut short holds fewer). */
export async function assessmentsPresent(db: ClientBase): Promise<boolean> {
  const { rows } = await db.query<{ n: number }>('select count(*)::int as n from skill_assessments');
  return rows[0].n === ASSESSMENTS;
}
