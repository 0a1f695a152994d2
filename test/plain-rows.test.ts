import type { EntityClass } from '@mikro-orm/core';
import { describe, expect, test } from 'vitest';
import { plainRows } from '../src/db/plain-rows';
import { Evidence, Exam, ExamAttempt, PerformanceMetrics, SkillAssessment, StudentProfile, User } from '../src/entities';
import { PreciseDate } from '../src/entities/precise-timestamp';
import { type TestApp, appPerFile } from './support/app';

/*
 * Read-only paths turn rows into plain objects with plainRows() instead of MikroORM's
 * hydration; every property must come out as hydration gives it, or GraphQL answers would
 * differ with the path that read the row.
 */

const it = test.extend<{ app: TestApp }>({
  app: appPerFile,
});

/** A property's value, comparable: references by id, dates by instant and microseconds. */
function comparable(value: unknown): unknown {
  if (value instanceof PreciseDate) return { at: value.toISOString(), micros: String(value.micros) };
  if (value instanceof Date) return value.toISOString();
  if (value !== null && typeof value === 'object' && 'id' in value) return { ref: value.id };
  return value;
}

const tables: { entity: EntityClass<object>; table: string }[] = [
  { entity: User, table: 'users' },
  { entity: StudentProfile, table: 'student_profiles' },
  { entity: SkillAssessment, table: 'skill_assessments' },
  { entity: Evidence, table: 'evidence' },
  { entity: Exam, table: 'exams' },
  { entity: ExamAttempt, table: 'exam_attempts' },
  { entity: PerformanceMetrics, table: 'performance_metrics' },
];

describe('plain rows', () => {
  it.for(tables)('$table: every property as MikroORM hydrates it', async ({ entity, table }, { app }) => {
    const em = app.assay.database.orm.em.fork();
    const rows = await em.execute<Record<string, unknown>[]>(`select * from ${table} order by random() limit 25`);
    expect(rows.length).toBeGreaterThan(0);
    const toPlain = plainRows(em, entity);
    const hydrated = new Map((await em.find(entity, { id: { $in: rows.map((r) => r.id) } })).map((e) => [(e as { id: string }).id, e]));
    for (const row of rows) {
      const plain = toPlain(row) as Record<string, unknown>;
      const entityRow = hydrated.get(row.id as string) as Record<string, unknown>;
      const properties = Object.keys(plain);
      expect(properties.length).toBeGreaterThan(3);
      for (const property of properties) expect(comparable(plain[property]), `${table}.${property}`).toEqual(comparable(entityRow[property]));
    }
  });

  it('never carries a password hash', async ({ app }) => {
    const em = app.assay.database.orm.em.fork();
    const [row] = await em.execute<Record<string, unknown>[]>('select * from users limit 1');
    expect(plainRows(em, User)(row)).not.toHaveProperty('passwordHash');
  });
});
