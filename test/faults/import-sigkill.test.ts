import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { seededRandom } from '../../src/db/seed/prng';
import { runCli } from '../support/cli';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { until } from '../support/subscriptions';

/*
 * `assay import` SIGKILLed at random points, batches committed or not, then re-run with
 * --on-duplicate skip: it completes, its counts are exact, and the table is the export's.
 */
const SEED = Number(process.env.FAULT_SEED ?? 20_261_206);
const KILLS = 3;
const EXTRA_ASSESSMENTS = 3000;

let db: TestDatabase | undefined;
let dir: string | undefined;
afterAll(async () => {
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const committedBatches = async () => Number((await db!.sql(`select count(*)::int as n from audit_logs where action = 'IMPORT'`))[0].n);
const rows = () => db!.sql('select a.*, (select json_agg(e order by e.id) from evidence e where e.assessment_id = a.id) as evidence from skill_assessments a order by a.id');

it(`an import killed ${KILLS} times at random points finishes with --on-duplicate skip, counting exactly what each run wrote`, async () => {
  process.stdout.write(`[faults] import under SIGKILL: FAULT_SEED=${SEED}\n`);
  const random = seededRandom(SEED);
  db = await createTestDatabase();
  dir = await mkdtemp(path.join(os.tmpdir(), 'assay-import-kill-'));
  await db.sql(
    `with s as (select id from users where role = 'STUDENT' order by id limit 10)
     insert into skill_assessments (id, student_id, skill_type, score, confidence, reasoning, source, model_name, model_version)
     select gen_random_uuid(), (select id from s offset g % 10 limit 1), 'EMPATHY', (g % 100) / 100.0, 0.5, 'bulk ' || g, 'AI_MODEL', 'm', 'v1'
       from generate_series(1, ${EXTRA_ASSESSMENTS}) g`,
  );
  await db.sql(`insert into evidence (id, assessment_id, kind, content) select gen_random_uuid(), id, 'OTHER', 'bulk' from skill_assessments where reasoning like 'bulk %'`);
  const file = path.join(dir, 'all.jsonl');
  const env = { DATABASE_URL: db.url };
  expect((await runCli(['export', '--output', file], env)).code).toBe(0);
  const { counts } = JSON.parse(await readFile(`${file}.manifest.json`, 'utf8')) as { counts: { assessments: number; evidence: number } };
  const exported = await rows();
  await db.sql('delete from skill_assessments');

  for (let kill = 0; kill < KILLS; kill++) {
    const before = await committedBatches();
    // Past validation, into the writes: after 0 to 2 more batches have committed, plus a random moment.
    const batchesMore = random.int(0, 2);
    const extraMs = random.int(0, 300);
    const run = await runCli(['import', '--input', file, '--on-duplicate', 'skip'], env, 120_000, (child) => {
      void until(async () => (await committedBatches()) >= before + batchesMore, 60_000, () => 'batches to commit')
        .then(() => new Promise((r) => setTimeout(r, extraMs)))
        .then(() => child.kill('SIGKILL'))
        // An import that finished first is not killed; the final run's counts still tell.
        .catch(() => undefined);
    });
    process.stdout.write(`[faults] kill ${kill + 1}: after ${batchesMore} more batch(es) + ${extraMs} ms, exit ${run.code}\n`);
  }
  const stored = Number((await db.sql('select count(*)::int as n from skill_assessments'))[0].n);
  const finish = await runCli(['import', '--input', file, '--on-duplicate', 'skip'], env, 120_000);
  expect(finish.code).toBe(0);
  expect(finish.stdout).toContain(`inserted ${counts.assessments - stored}, updated 0, skipped ${stored}, rejected 0`);
  expect(await rows()).toEqual(exported);
}, 600_000);
