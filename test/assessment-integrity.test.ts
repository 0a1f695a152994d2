import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAssessmentsCommand } from '../src/cli/verify';
import { IntegrityReportDocument } from './generated/graphql';
import { codeOf, startTestApp, type TestApp } from './support/app';
import { captureIo, cliConfig, sql, userId } from './support/assessments';

let app: TestApp;
let admin: string;

/** The broken rows seeded below, by the check that must name them. */
const broken: Record<string, string> = {};

beforeAll(async () => {
  app = await startTestApp();
  admin = await app.login('admin@example.edu');
});
afterAll(() => app?.stop());

const report = async (token = admin) => {
  const result = await app.gql(IntegrityReportDocument, { limit: 50 }, { token });
  expect(result.errors).toBeUndefined();
  return result.data!.integrityReport;
};
const findingsOf = (r: Awaited<ReturnType<typeof report>>, check: string) => r.checks.find((c) => c.check === check)!;

async function verify(options: Parameters<typeof verifyAssessmentsCommand>[1] = {}) {
  const capture = captureIo();
  const code = await verifyAssessmentsCommand(cliConfig(app), options, capture.io);
  return { code, out: capture.out() };
}

/** Rows the constraints would refuse: the test database drops them first, as a bad migration or manual edit might. */
async function seedBrokenRows() {
  // Deleted while the foreign key still cascades, so their evidence goes too.
  broken.STUDENT_WITHOUT_ASSESSMENTS = await userId(app, 'student20@example.edu');
  await sql(app, 'delete from skill_assessments where student_id = $1', [broken.STUDENT_WITHOUT_ASSESSMENTS]);
  broken.MISSING_PRIMARY_SKILLS = await userId(app, 'student21@example.edu');
  await sql(app, `delete from skill_assessments where student_id = $1 and skill_type in ('EMPATHY', 'RESILIENCE')`, [broken.MISSING_PRIMARY_SKILLS]);
  await sql(app, `alter table skill_assessments drop constraint skill_assessments_score_check,
                  drop constraint skill_assessments_confidence_check, drop constraint skill_assessments_timestamps_check`);
  await sql(app, `alter table evidence drop constraint evidence_relevance_check, drop constraint evidence_assessment_fk`);
  const student4 = await userId(app, 'student4@example.edu');
  const pick = async (skill: string) =>
    (await sql<{ id: string }>(app, `select id from skill_assessments where student_id = $1 and skill_type = $2 order by created_at limit 1`, [student4, skill]))[0].id;

  broken.SCORE_OUT_OF_RANGE = await pick('EMPATHY');
  await sql(app, 'update skill_assessments set score = 1.5 where id = $1', [broken.SCORE_OUT_OF_RANGE]);
  broken.CONFIDENCE_OUT_OF_RANGE = await pick('PROBLEM_SOLVING');
  await sql(app, 'update skill_assessments set confidence = -0.25 where id = $1', [broken.CONFIDENCE_OUT_OF_RANGE]);
  broken.FUTURE_TIMESTAMP = await pick('RESILIENCE');
  await sql(app, `update skill_assessments set created_at = now() + interval '1 day', updated_at = now() + interval '1 day' where id = $1`, [
    broken.FUTURE_TIMESTAMP,
  ]);
  broken.UPDATED_BEFORE_CREATED = await pick('SELF_REGULATION');
  await sql(app, `update skill_assessments set updated_at = created_at - interval '1 hour' where id = $1`, [broken.UPDATED_BEFORE_CREATED]);
  [{ id: broken.RELEVANCE_OUT_OF_RANGE }] = await sql<{ id: string }>(
    app,
    `update evidence set relevance = 3 where id = (select id from evidence order by id limit 1) returning id`,
  );
  [{ id: broken.ORPHANED_EVIDENCE }] = await sql<{ id: string }>(
    app,
    `insert into evidence (id, assessment_id, kind, content) values (gen_random_uuid(), gen_random_uuid(), 'OTHER', 'orphan') returning id`,
  );
  const insertAssessment = async () =>
    (
      await sql<{ id: string }>(
        app,
        `insert into skill_assessments (id, student_id, skill_type, score, confidence, reasoning, source, model_name, model_version)
         values (gen_random_uuid(), $1, 'COLLABORATION', 0.5, 0.5, 'r', 'AI_MODEL', 'm', 'v') returning id`,
        [student4],
      )
    )[0].id;
  broken.ASSESSMENT_WITHOUT_EVIDENCE = await insertAssessment();
  broken.EVIDENCE_COUNT_OUTLIER = await insertAssessment();
  await sql(app, `insert into evidence (id, assessment_id, kind, content) select gen_random_uuid(), $1, 'OTHER', 'x' || g from generate_series(1, 60) g`, [
    broken.EVIDENCE_COUNT_OUTLIER,
  ]);
}

describe('integrity of the demo data', () => {
  it('is clean: no findings, exit code 0', async () => {
    const clean = await report();
    expect(clean.checks.filter((c) => c.count > 0)).toEqual([]);
    expect(clean).toMatchObject({ ok: true, findingCount: 0 });
    expect(clean.checks).toHaveLength(10);
    const { code, out } = await verify();
    expect(code).toBe(0);
    expect(out).toMatch(/No findings\n$/);
  });
});

describe('with broken rows', () => {
  beforeAll(seedBrokenRows);

  it('every check fires and names exactly the broken rows', async () => {
    const r = await report();
    expect(r.ok).toBe(false);
    for (const [check, id] of Object.entries(broken)) {
      const result = findingsOf(r, check);
      expect(result.findings.map((f) => f.id), check).toEqual([id]);
      expect(result.count, check).toBe(1);
    }
    expect(r.findingCount).toBe(Object.keys(broken).length);
    expect(findingsOf(r, 'MISSING_PRIMARY_SKILLS').findings[0].detail).toBe('student21@example.edu lacks EMPATHY, RESILIENCE');
    expect(findingsOf(r, 'SCORE_OUT_OF_RANGE').findings[0]).toMatchObject({ table: 'skill_assessments', detail: 'score 1.5000' });
    expect(findingsOf(r, 'ORPHANED_EVIDENCE').findings[0].table).toBe('evidence');
    expect(findingsOf(r, 'EVIDENCE_COUNT_OUTLIER').findings[0].detail).toMatch(/^60 evidence rows \(mean [\d.]+, sd [\d.]+\)$/);
  });

  it('assay verify assessments lists them and exits 2', async () => {
    const { code, out } = await verify({ limit: '5' });
    expect(code).toBe(2);
    for (const id of Object.values(broken)) expect(out).toContain(id);
    expect(out).toMatch(/^FAIL SCORE_OUT_OF_RANGE: assessment score outside 0\.\.1 \(1\)$/m);
    expect(out).toMatch(/10 finding\(s\)\n$/);
    const json = await verify({ json: true });
    expect(JSON.parse(json.out)).toMatchObject({ ok: false, findingCount: 10 });
  });

  it('--fix-orphans --dry-run only says what it would delete; --fix-orphans deletes', async () => {
    const dry = await verify({ fixOrphans: true, dryRun: true });
    expect(dry.out).toMatch(/Would delete 1 orphaned evidence row\(s\)/);
    expect(await sql(app, 'select 1 from evidence where id = $1', [broken.ORPHANED_EVIDENCE])).toHaveLength(1);

    const fixed = await verify({ fixOrphans: true });
    expect(fixed.out).toMatch(/Deleted 1 orphaned evidence row\(s\)/);
    expect(fixed.code).toBe(2);
    expect(await sql(app, 'select 1 from evidence where id = $1', [broken.ORPHANED_EVIDENCE])).toHaveLength(0);
    expect(findingsOf(await report(), 'ORPHANED_EVIDENCE').count).toBe(0);
  });

  it('exits 2 as a process too', () => {
    const run = spawnSync(process.execPath, ['bin/assay.js', 'verify', 'assessments', '--limit', '1'], {
      cwd: path.resolve(__dirname, '..'),
      env: { ...process.env, DATABASE_URL: app.db.url, LOG_LEVEL: 'silent', NODE_ENV: 'test' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(2);
    expect(run.stdout).toContain(broken.SCORE_OUT_OF_RANGE);
  });
});

describe('integrityReport permissions', () => {
  it('is for admins and auditors only', async () => {
    expect((await report(await app.login('auditor@example.edu'))).checks).toHaveLength(10);
    for (const who of ['teacher1', 'student1']) {
      const result = await app.gql(IntegrityReportDocument, {}, { token: await app.login(`${who}@example.edu`) });
      expect(codeOf(result), who).toBe('FORBIDDEN');
      expect(result.data).toBeNull();
    }
    expect(codeOf(await app.gql(IntegrityReportDocument, { limit: 0 }, { token: admin }))).toBe('BAD_USER_INPUT');
  });
});
