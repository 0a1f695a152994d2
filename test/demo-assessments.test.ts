import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoAssessments } from '../src/db/seed/assessments';
import { createTestDatabase, type TestDatabase } from './support/database';
import { Client } from 'pg';

let db: TestDatabase;
let client: Client;

beforeAll(async () => {
  db = await createTestDatabase();
  client = new Client({ connectionString: db.url });
  await client.connect();
});
afterAll(async () => {
  await client?.end();
  await db?.drop();
});

const one = async <T>(text: string) => (await client.query(text)).rows[0] as T;

describe('demo assessments', () => {
  it('give 50 students about 2,200 assessments and 10,000 evidence rows over the seven skills', async () => {
    const counts = await one<{ students: string; assessments: string; evidence: string; skills: string }>(
      `select (select count(distinct student_id) from skill_assessments) as students,
              (select count(*) from skill_assessments) as assessments,
              (select count(*) from evidence) as evidence,
              (select count(distinct skill_type) from skill_assessments) as skills`,
    );
    expect(Number(counts.students)).toBe(50);
    expect(Number(counts.assessments)).toBeGreaterThanOrEqual(2_000);
    expect(Number(counts.assessments)).toBeLessThanOrEqual(2_400);
    expect(Number(counts.evidence)).toBeGreaterThanOrEqual(9_000);
    expect(Number(counts.evidence)).toBeLessThanOrEqual(11_000);
    expect(Number(counts.skills)).toBe(7);
  });

  it('assess every student on the four primary skills', async () => {
    const { incomplete } = await one<{ incomplete: string }>(
      `select count(*) as incomplete from users u where u.role = 'STUDENT' and (
         select count(distinct skill_type) from skill_assessments a
          where a.student_id = u.id and a.skill_type in ('EMPATHY', 'PROBLEM_SOLVING', 'RESILIENCE', 'SELF_REGULATION')) < 4`,
    );
    expect(Number(incomplete)).toBe(0);
  });

  it('are a pure function of the seed', () => {
    const students = ['a1b2c3d4-0000-4000-8000-000000000001', 'a1b2c3d4-0000-4000-8000-000000000002'];
    expect(generateDemoAssessments(students)).toEqual(generateDemoAssessments(students));
    expect(generateDemoAssessments(students, 1).assessments[0].id).not.toBe(generateDemoAssessments(students, 2).assessments[0].id);
  });
});
