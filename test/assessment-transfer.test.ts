import { spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportCommand } from '../src/cli/export';
import { importCommand } from '../src/cli/import';
import type { Config } from '../src/config';
import { systemSource } from '../src/services/audit.service';
import { exportAssessments } from '../src/services/transfer/export';
import type { AssessmentRecord } from '../src/services/transfer/record';
import { startTestApp, type TestApp } from './support/app';
import { captureIo, cliConfig, countAssessments, countEvidence, dumpRows, sql, userId } from './support/assessments';

let app: TestApp;
let config: Config;
let dir: string;
let student3: string;

beforeAll(async () => {
  app = await startTestApp();
  config = cliConfig(app);
  dir = await mkdtemp(path.join(os.tmpdir(), 'assay-transfer-'));
  student3 = await userId(app, 'student3@example.edu');
  // Rows the demo seed does not make: microsecond timestamps from the database clock,
  // five assessments sharing one created_at (keyset ties), one without evidence.
  await sql(
    app,
    `insert into skill_assessments (id, student_id, skill_type, score, confidence, reasoning, source, model_name, model_version, feature_importance, created_at, updated_at)
     select gen_random_uuid(), $1, 'COMMUNICATION', 0.5 + g / 100.0, 0.7, 'tie ' || g, 'AI_MODEL', 'm', 'v1', '{"a": 0.25}', '2026-03-03T10:00:00.123456Z', '2026-03-03T10:00:00.123456Z'
       from generate_series(1, 5) g`,
    [student3],
  );
  await sql(app, `insert into evidence (id, assessment_id, kind, content) select gen_random_uuid(), id, 'OTHER', 'now-stamped' from skill_assessments where reasoning like 'tie %'`);
  await sql(
    app,
    `insert into skill_assessments (id, student_id, skill_type, score, confidence, reasoning, source, model_name, model_version)
     values (gen_random_uuid(), $1, 'EMPATHY', 1, 0, 'no evidence yet', 'ML_INFERENCE', 'm', 'v1')`,
    [student3],
  );
});
afterAll(async () => {
  await app?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const file = (name: string) => path.join(dir, name);
const sha256 = async (name: string) => createHash('sha256').update(await readFile(name)).digest('hex');
const linesOf = async (name: string) => (await readFile(name, 'utf8')).split('\n').filter(Boolean);
const wipe = () => sql(app, 'delete from skill_assessments');

async function runImport(input: string, onDuplicate: 'skip' | 'update' | 'error', dryRun = false) {
  const capture = captureIo();
  const code = await importCommand(config, { input, onDuplicate, dryRun }, capture.io);
  return { code, out: capture.out(), err: capture.err() };
}

/** A record from the demo data with fresh ids, so importing it inserts. */
async function freshRecord(): Promise<AssessmentRecord> {
  const [line] = await linesOf(file('all.jsonl'));
  const record = JSON.parse(line) as AssessmentRecord;
  return { ...record, id: randomUUID(), evidence: record.evidence.map((e) => ({ ...e, id: randomUUID() })) };
}

describe('export → wipe → import', () => {
  it('gives back identical rows (JSON Lines), with a manifest that matches the file', async () => {
    const before = await dumpRows(app);
    const capture = captureIo();
    expect(await exportCommand(config, { output: file('all.jsonl') }, capture.io)).toBe(0);
    expect(capture.out()).toMatch(/Exported \d+ assessments with \d+ evidence rows/);

    const manifest = JSON.parse(await readFile(file('all.jsonl.manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({
      kind: 'assay.assessments',
      format: 'jsonl',
      sha256: await sha256(file('all.jsonl')),
      counts: { assessments: await countAssessments(app), evidence: await countEvidence(app) },
    });
    expect(await linesOf(file('all.jsonl'))).toHaveLength(manifest.counts.assessments);

    await wipe();
    expect(await countEvidence(app)).toBe(0);
    const result = await runImport(file('all.jsonl'), 'error');
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(new RegExp(`inserted ${manifest.counts.assessments}, updated 0, skipped 0, rejected 0; ${manifest.counts.evidence} evidence rows`));
    expect(await dumpRows(app)).toEqual(before);

    // Both directions are in the tamper-evident audit log: the export once, the import per batch.
    const entries = await sql<{ action: string; actor_kind: string; details: Record<string, unknown> }>(
      app,
      `select action, actor_kind, details from audit_logs where action in ('EXPORT', 'IMPORT') order by seq`,
    );
    expect(entries[0]).toMatchObject({ action: 'EXPORT', actor_kind: 'SYSTEM', details: { file: 'all.jsonl', purpose: 'export', sha256: manifest.sha256 } });
    const imports = entries.filter((e) => e.action === 'IMPORT');
    expect(imports.length).toBe(Math.ceil(manifest.counts.assessments / 500));
    expect(imports.reduce((n, e) => n + Number(e.details.inserted), 0)).toBe(manifest.counts.assessments);
  });

  it("gives back identical rows from a JSON array written in keyset batches smaller than a run of equal timestamps", async () => {
    const before = await dumpRows(app);
    const knex = app.assay.database.orm.em.getKnex();
    const filter = { studentId: student3 };
    const result = await exportAssessments(knex, { output: file('student3.json'), format: 'json', filter, batchSize: 3, audit: systemSource('test') });
    const parsed = JSON.parse(await readFile(file('student3.json'), 'utf8')) as AssessmentRecord[];
    expect(parsed).toHaveLength(result.counts.assessments);
    expect(parsed.length).toBe(Number((await sql<{ n: string }>(app, 'select count(*) as n from skill_assessments where student_id = $1', [student3]))[0].n));
    expect(new Set(parsed.map((r) => r.id)).size).toBe(parsed.length);
    expect(parsed.filter((r) => r.createdAt === '2026-03-03T10:00:00.123456Z')).toHaveLength(5);

    await sql(app, 'delete from skill_assessments where student_id = $1', [student3]);
    const imported = await runImport(file('student3.json'), 'error');
    expect(imported.code).toBe(0);
    expect(await dumpRows(app)).toEqual(before);
  });

  it('exports only what the filters select', async () => {
    const capture = captureIo();
    const options = { output: file('some.jsonl'), student: student3, skill: ['empathy,communication'], from: '2026-01-01', to: '2026-06-01' };
    expect(await exportCommand(config, options, capture.io)).toBe(0);
    const records = (await linesOf(file('some.jsonl'))).map((l) => JSON.parse(l) as AssessmentRecord);
    const [{ n }] = await sql<{ n: string }>(
      app,
      `select count(*) as n from skill_assessments where student_id = $1 and skill_type in ('EMPATHY', 'COMMUNICATION')
          and created_at >= '2026-01-01' and created_at < '2026-06-01'`,
      [student3],
    );
    expect(records.length).toBe(Number(n));
    expect(records.length).toBeGreaterThan(5);
    expect(records.every((r) => r.studentId === student3 && ['EMPATHY', 'COMMUNICATION'].includes(r.skillType))).toBe(true);
    await expect(exportCommand(config, { output: file('x.jsonl'), skill: ['charisma'] }, captureIo().io)).rejects.toThrow(
      /--skill CHARISMA is not a skill type/,
    );
  });
});

describe('import refuses bad input and writes nothing', () => {
  it('names the line and field of each bad record, including a truncated last line', async () => {
    const good = await freshRecord();
    const lines = [
      JSON.stringify(good),
      JSON.stringify({ ...(await freshRecord()), score: 1.5 }),
      JSON.stringify({ ...(await freshRecord()), skillType: 'CHARISMA' }),
      JSON.stringify({ ...(await freshRecord()), studentId: randomUUID() }),
      JSON.stringify({ ...(await freshRecord()), updatedAt: '2020-01-01T00:00:00Z' }),
      JSON.stringify({ ...(await freshRecord()), createdAt: '2099-01-01T00:00:00Z', updatedAt: '2099-01-01T00:00:00Z' }),
      JSON.stringify(good),
      JSON.stringify(await freshRecord()).slice(0, 120),
    ];
    await writeFile(file('bad.jsonl'), `${lines.join('\n')}\n`);
    const before = await dumpRows(app);
    const result = await runImport(file('bad.jsonl'), 'skip');
    expect(result.code).toBe(2);
    const problems = result.err.trim().split('\n');
    expect(problems).toEqual([
      expect.stringMatching(/^line 2: score: must be a number from 0 to 1 with at most 4 decimals$/),
      expect.stringMatching(/^line 3: skillType: Invalid option/),
      expect.stringMatching(/^line 5: updatedAt: must not be before createdAt$/),
      expect.stringMatching(/^line 6: createdAt: is in the future; updatedAt: is in the future$/),
      expect.stringMatching(/^line 7: id [0-9a-f-]{36} already appears at line 1$/),
      expect.stringMatching(/^line 8: not valid JSON .*cut short/),
      expect.stringMatching(/^line 4: studentId: no student with id /),
    ]);
    expect(result.out).toMatch(/8 records read \(jsonl\); inserted 0, updated 0, skipped 0, rejected 7\. Nothing was written\./);
    expect(await dumpRows(app)).toEqual(before);
  });

  it('reports a JSON array cut short', async () => {
    const text = `[\n${JSON.stringify(await freshRecord())},\n${JSON.stringify(await freshRecord())}`;
    await writeFile(file('cut.json'), text.slice(0, text.length - 40));
    const result = await runImport(file('cut.json'), 'error');
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/^record 2: malformed JSON after record 1 .*cut short/);
    expect(await countAssessments(app)).toBe((await dumpRows(app)).assessments.length);
  });

  it('catches a file that no longer matches its manifest', async () => {
    const capture = captureIo();
    await exportCommand(config, { output: file('changed.jsonl'), student: student3 }, capture.io);
    const [first, ...rest] = await linesOf(file('changed.jsonl'));
    const edited = JSON.parse(first) as AssessmentRecord;
    await writeFile(file('changed.jsonl'), [JSON.stringify({ ...edited, score: edited.score === 1 ? 0 : 1 }), ...rest, ''].join('\n'));
    const result = await runImport(file('changed.jsonl'), 'update');
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/^manifest: the file's SHA-256 \([0-9a-f]{64}\) differs from its manifest/m);
  });

  it('refuses evidence that belongs to another assessment', async () => {
    const [stolen] = await sql<{ id: string }>(app, 'select id from evidence limit 1');
    const record = await freshRecord();
    record.evidence[0].id = stolen.id;
    await writeFile(file('stolen.jsonl'), `${JSON.stringify(record)}\n`);
    const result = await runImport(file('stolen.jsonl'), 'update');
    expect(result.code).toBe(2);
    expect(result.err).toMatch(new RegExp(`^line 1: evidence.0.id ${stolen.id} already belongs to assessment `));
  });
});

describe('duplicates and dry runs', () => {
  async function existingAndNew() {
    const [line] = await linesOf(file('all.jsonl'));
    const existing = JSON.parse(line) as AssessmentRecord;
    const changed: AssessmentRecord = {
      ...existing,
      score: existing.score === 0.5 ? 0.25 : 0.5,
      evidence: [...existing.evidence.slice(1), { id: randomUUID(), kind: 'OTHER' as never, content: 'added later', sourceRef: null, relevance: 0.1, createdAt: existing.createdAt }],
    };
    const fresh = await freshRecord();
    await writeFile(file('dup.jsonl'), `${JSON.stringify(changed)}\n${JSON.stringify(fresh)}\n`);
    return { existing, changed, fresh };
  }

  const scoreOf = async (id: string) => Number((await sql<{ score: string }>(app, 'select score::text from skill_assessments where id = $1', [id]))[0].score);
  const evidenceIds = async (id: string) =>
    (await sql<{ id: string }>(app, 'select id from evidence where assessment_id = $1 order by id', [id])).map((r) => r.id);

  it('error: rejects a stored id and writes nothing', async () => {
    const { existing, fresh } = await existingAndNew();
    const result = await runImport(file('dup.jsonl'), 'error');
    expect(result.code).toBe(2);
    expect(result.err).toMatch(new RegExp(`^line 1: id ${existing.id} is already stored \\(--on-duplicate error\\)`));
    expect(await sql(app, 'select 1 from skill_assessments where id = $1', [fresh.id])).toHaveLength(0);
  });

  it('dry run: validates and counts, writes nothing', async () => {
    const { existing, fresh } = await existingAndNew();
    const before = await dumpRows(app);
    const result = await runImport(file('dup.jsonl'), 'update', true);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/Dry run, nothing written: would have inserted 1, updated 1, skipped 0, rejected 0/);
    expect(await dumpRows(app)).toEqual(before);
    expect(await scoreOf(existing.id)).toBe(existing.score);
    expect(await sql(app, 'select 1 from skill_assessments where id = $1', [fresh.id])).toHaveLength(0);
  });

  it('skip: leaves the stored row alone and inserts the new one', async () => {
    const { existing, fresh } = await existingAndNew();
    const result = await runImport(file('dup.jsonl'), 'skip');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/inserted 1, updated 0, skipped 1, rejected 0/);
    expect(await scoreOf(existing.id)).toBe(existing.score);
    expect(await evidenceIds(existing.id)).toEqual(existing.evidence.map((e) => e.id).sort());
    expect(await evidenceIds(fresh.id)).toEqual(fresh.evidence.map((e) => e.id).sort());
  });

  it('update: replaces the stored row and its evidence set with the file', async () => {
    const { changed } = await existingAndNew();
    const result = await runImport(file('dup.jsonl'), 'skip');
    expect(result.out).toMatch(/inserted 1, updated 0, skipped 1/);
    const updated = await runImport(file('dup.jsonl'), 'update');
    expect(updated.code).toBe(0);
    expect(updated.out).toMatch(/inserted 0, updated 2, skipped 0, rejected 0/);
    expect(await scoreOf(changed.id)).toBe(changed.score);
    expect(await evidenceIds(changed.id)).toEqual(changed.evidence.map((e) => e.id).sort());
  });
});

describe('assay import as a process', () => {
  it('exits 2 and names the bad lines on stderr', () => {
    const run = spawnSync(process.execPath, ['bin/assay.js', 'import', '--input', file('bad.jsonl'), '--on-duplicate', 'skip'], {
      cwd: path.resolve(__dirname, '..'),
      env: { ...process.env, DATABASE_URL: app.db.url, LOG_LEVEL: 'silent', NODE_ENV: 'test' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^line 2: score: must be a number from 0 to 1/m);
    expect(run.stdout).toMatch(/Nothing was written/);
  });

  it('exits 1 with one line for a missing file', () => {
    const run = spawnSync(process.execPath, ['bin/assay.js', 'import', '--input', file('missing.jsonl')], {
      cwd: path.resolve(__dirname, '..'),
      env: { ...process.env, DATABASE_URL: app.db.url, LOG_LEVEL: 'silent', NODE_ENV: 'test' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^assay: --input .*missing.jsonl cannot be read$/m);
  });
});

describe('truncate guard', () => {
  it('an export cut short after its manifest was written is refused', async () => {
    await exportCommand(config, { output: file('short.jsonl'), student: student3 }, captureIo().io);
    const size = (await readFile(file('short.jsonl'))).length;
    await truncate(file('short.jsonl'), size - 25);
    const result = await runImport(file('short.jsonl'), 'skip');
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/not valid JSON/);
    expect(result.err).toMatch(/^manifest: /m);
  });
});
