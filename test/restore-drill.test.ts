import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { withAdminClient } from './support/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssessmentSource, EvidenceKind, SkillType } from '../src/entities/skill';
import { AddEvidenceDocument, NewAssessmentDocument } from './generated/graphql';
import { startTestApp, type TestApp } from './support/app';
import { sql, userId } from './support/assessments';
import { runCli, runCliOn } from './support/cli';
import { createEmptyDatabase, type TestDatabase } from './support/database';

/**
 * The restore drill: take a backup as the job does, restore it into an empty database, and
 * compare every table the backup covers, row by row and column by column. An assessment
 * backup covers `skill_assessments` and `evidence`; it names students by id and carries
 * nothing else, so the drill restores the `users` table first, as an operator would from a
 * pg_dump (see the README's Backups section).
 */
const COVERED = ['skill_assessments', 'evidence'] as const;

let app: TestApp;
let target: TestDatabase;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'assay-restore-drill-'));
  app = await startTestApp({ BACKUP_DIR: dir });
  target = await createEmptyDatabase();
});
afterAll(async () => {
  await app?.stop();
  await target?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const query = <T>(url: string, text: string, params: unknown[] = []): Promise<T[]> =>
  withAdminClient(url, async (client) => (await client.query(text, params)).rows as T[]);

/** Every column of every row as PostgreSQL prints it (text), by primary key. */
async function rowsOf(url: string, table: string): Promise<Map<string, Record<string, string | null>>> {
  const rows = await query<{ id: string; columns: Record<string, string | null> }>(
    url,
    `select t.id::text as id, (select json_object_agg(c.key, c.value) from json_each_text(row_to_json(t)) c) as columns from ${table} t`,
  );
  return new Map(rows.map((r) => [r.id, r.columns]));
}

const columnsOf = async (url: string, table: string) =>
  (await query<{ name: string }>(url, `select column_name as name from information_schema.columns where table_name = $1 order by 1`, [table])).map((c) => c.name);

interface Difference {
  table: string;
  id: string;
  column: string;
  source: string | null | undefined;
  restored: string | null | undefined;
}

function differences(table: string, source: Map<string, Record<string, string | null>>, restored: Map<string, Record<string, string | null>>): Difference[] {
  const found: Difference[] = [];
  for (const id of new Set([...source.keys(), ...restored.keys()])) {
    const a = source.get(id);
    const b = restored.get(id);
    if (!a || !b) {
      found.push({ table, id, column: '(row)', source: a ? 'present' : undefined, restored: b ? 'present' : undefined });
      continue;
    }
    for (const column of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (a[column] !== b[column]) found.push({ table, id, column, source: a[column], restored: b[column] });
    }
  }
  return found;
}

/**
 * Text at the API's limits, counted as the API counts them: class-validator takes a surrogate
 * pair (🧪) and a character with its emoji presentation selector (❤️, two code points) as one.
 */
const TEST_TUBE = '🧪';
const HEART = '❤️';
const ODD_TEXT = 'quotes " and \\ backslashes, a tab\there, lines\nand\r\nmore, RTL ‏שלום‎, combining e\u0301, CJK 評価, zero-width\u200Bjoiner';

async function seedOddRows(): Promise<string[]> {
  const token = await app.login('admin@example.edu');
  const student = await userId(app, 'student5@example.edu');
  const atLimits = await app.gql(
    NewAssessmentDocument,
    {
      input: {
        studentId: student,
        skillType: SkillType.COMMUNICATION,
        score: 0,
        confidence: 1,
        reasoning: HEART.repeat(20_000),
        source: AssessmentSource.ML_INFERENCE,
        modelName: `模型 ${TEST_TUBE} α`,
        modelVersion: 'v1.0-ß',
        featureImportance: { ключ: -0.5, [`emoji ${TEST_TUBE}`]: 1e-7, big: 12345.678, tiny: 5e-324 },
        evidence: [
          { kind: EvidenceKind.LINGUISTIC, content: ODD_TEXT, sourceRef: TEST_TUBE.repeat(256), relevance: 0.0001 },
          { kind: EvidenceKind.OTHER, content: TEST_TUBE.repeat(10_000) },
          { kind: EvidenceKind.OTHER, content: HEART.repeat(10_000) },
        ],
      },
    },
    { token },
  );
  expect(atLimits.errors).toBeUndefined();
  const id = atLimits.data!.createAssessment.id;
  const added = await app.gql(AddEvidenceDocument, { input: { assessmentId: id, evidence: [{ kind: EvidenceKind.BEHAVIORAL, content: 'added later, so updated_at moves' }] } }, { token });
  expect(added.errors).toBeUndefined();

  const fifty = await app.gql(
    NewAssessmentDocument,
    {
      input: {
        studentId: student,
        skillType: SkillType.ADAPTABILITY,
        score: 0.9999,
        confidence: 0.5,
        reasoning: ODD_TEXT,
        source: AssessmentSource.AI_MODEL,
        modelName: 'm',
        modelVersion: '1',
        featureImportance: null,
        evidence: Array.from({ length: 50 }, (_, i) => ({ kind: EvidenceKind.OTHER, content: `piece ${i} ${ODD_TEXT}`, relevance: i % 2 ? null : i / 100 })),
      },
    },
    { token },
  );
  expect(fifty.errors).toBeUndefined();

  // What only SQL writes: no evidence at all, timestamps PostgreSQL sets to the microsecond,
  // and feature weights no JavaScript number spells this way (see SQL_ONLY_WEIGHTS).
  const [bare] = await sql<{ id: string }>(
    app,
    `insert into skill_assessments (id, student_id, skill_type, score, confidence, reasoning, source, model_name, model_version,
       feature_importance, created_at, updated_at)
     values (gen_random_uuid(), $1, 'RESILIENCE', 1, 0, $2, 'AI_MODEL', 'm', 'v', $3, clock_timestamp() - interval '1 day', clock_timestamp())
     returning id`,
    [student, ODD_TEXT, SQL_ONLY_WEIGHTS.written],
  );
  return [id, fifty.data!.createAssessment.id, bare.id];
}

/**
 * The one difference a restore may show. Records carry feature weights as JSON numbers read
 * into JavaScript, so a weight comes back as the nearest double, written shortest: every
 * weight the API accepted (it takes doubles) comes back as stored, but one written by SQL with
 * trailing zeros (1.50 → 1.5, equal as jsonb) or more digits than a double holds (rounded) does not.
 */
const SQL_ONLY_WEIGHTS = {
  written: '{"w": 1.50, "p": 0.12345678901234567890123}',
  stored: '{"p": 0.12345678901234567890123, "w": 1.50}',
  restored: '{"p": 0.12345678901234568, "w": 1.5}',
};

describe('restore drill', () => {
  it('restores every row and column of the tables the backup covers into an empty database', async () => {
    const odd = await seedOddRows();

    const backedUp = await runCliOn(app.db.url, ['jobs', 'run', 'backup'], { BACKUP_DIR: dir });
    expect(backedUp.stderr).toBe('');
    expect(backedUp.code).toBe(0);
    const [file] = (await readdir(dir)).filter((f) => f.endsWith('.jsonl'));
    expect((await runCli(['backup', 'verify', file], { BACKUP_DIR: dir })).code).toBe(0);

    const migrated = await runCliOn(target.url, ['migrate']);
    expect(migrated.code).toBe(0);
    for (const table of COVERED) expect(await query(target.url, `select 1 from ${table} limit 1`)).toEqual([]);
    // The backup names students by id: the users table comes first, from the database's own backup.
    const [{ users }] = await query<{ users: unknown[] }>(app.db.url, `select json_agg(u) as users from users u`);
    await query(target.url, `insert into users select * from json_populate_recordset(null::users, $1::json)`, [JSON.stringify(users)]);

    const restored = await runCliOn(target.url, ['import', '--input', path.join(dir, file)]);
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/; inserted \d+, updated 0, skipped 0, rejected 0; \d+ evidence rows written/);

    for (const table of COVERED) {
      expect(await columnsOf(target.url, table)).toEqual(await columnsOf(app.db.url, table));
      const source = await rowsOf(app.db.url, table);
      const copy = await rowsOf(target.url, table);
      expect(source.size, table).toBeGreaterThan(1000);
      const columns = await columnsOf(app.db.url, table);
      for (const row of source.values()) expect(Object.keys(row).sort()).toEqual(columns);
      const expected = table === 'skill_assessments' ? [{ table, id: odd[2], column: 'feature_importance', source: SQL_ONLY_WEIGHTS.stored, restored: SQL_ONLY_WEIGHTS.restored }] : [];
      expect(differences(table, source, copy).slice(0, 20)).toEqual(expected);
    }
    const restoredOdd = await rowsOf(target.url, 'skill_assessments');
    for (const id of odd) expect(restoredOdd.has(id)).toBe(true);
    expect(restoredOdd.get(odd[0])!.reasoning).toBe(HEART.repeat(20_000));
  }, 180_000);
});
