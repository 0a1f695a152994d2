import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli';
import { TEST_JWT_SECRET } from './support/constants';
import { createTestDatabase, type TestDatabase } from './support/database';
import { breakQuestData, EXPECTED_FINDINGS } from './support/broken-quests';
import { demoIds, questState } from './support/quests';

let db: TestDatabase;
let env: Record<string, string>;
const audit = (...args: string[]) => runCli(['audit', 'quests', ...args], env);

beforeAll(async () => {
  db = await createTestDatabase();
  env = { DATABASE_URL: db.url, JWT_SECRET: TEST_JWT_SECRET };
});
afterAll(() => db?.drop());

describe('assay audit quests', () => {
  it('exits 0 on the demo data', async () => {
    const run = await audit();
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/20 quests checked, 0 findings/);
  });

  it('exits 2 with a count per category when data drifted; --detailed names user, quest and dates', async () => {
    await breakQuestData(db, await demoIds(db));
    const summary = await audit();
    expect(summary.code).toBe(2);
    expect(summary.stdout).toMatch(/20 quests checked, 11 findings/);
    expect(summary.stdout).toMatch(/1 {2}duplicate participants/);
    expect(summary.stdout).toMatch(/2 {2}approved applications without a participant/);
    expect(summary.stdout).toMatch(/3 {2}quest status inconsistent/);
    expect(summary.stdout).not.toContain('student26');

    const detailed = await audit('--detailed');
    expect(detailed.code).toBe(2);
    expect(detailed.stdout).toMatch(
      /\[APPROVED_WITHOUT_PARTICIPANT\] quest "Build a tiny classifier together \(cohort-1\)" \([0-9a-f-]{36}, created \d{4}-\d\d-\d\dT[\d:.]+Z\)\n\s+user student26 \([0-9a-f-]{36}\), at \d{4}-\d\d-\d\dT[\d:.]+Z: .+\n\s+repair: ADD_PARTICIPANT: /,
    );
    for (const { username } of EXPECTED_FINDINGS) expect(detailed.stdout).toContain(`user ${username} (`);
  });

  it('needs DATABASE_URL', async () => {
    const run = await runCli(['audit', 'quests']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('assay: audit quests needs DATABASE_URL\n');
  });

  it('--user narrows to the quests of one user; an unknown user exits 1', async () => {
    const narrowed = await audit('--user', 'STUDENT42', '--detailed');
    expect(narrowed.code).toBe(2);
    expect(narrowed.stdout).toMatch(/user STUDENT42\): 2 quests checked, 2 findings/);
    const unknown = await audit('--user', 'nobody');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('assay: no user named nobody\n');
  });

  it('--dry-run lists every repair, exits 2 and writes nothing (also with --fix)', async () => {
    const before = await questState(db);
    for (const args of [['--dry-run'], ['--fix', '--dry-run']]) {
      const run = await audit(...args);
      expect(run.code).toBe(2);
      expect(run.stdout.match(/^\s+repair: /gm)).toHaveLength(EXPECTED_FINDINGS.length);
      expect(run.stdout).toMatch(/repair: DELETE_PARTICIPANT: delete participant row [0-9a-f-]{36}, keeping [0-9a-f-]{36}/);
      expect(run.stdout).toMatch(/nothing was written/);
    }
    expect(await questState(db)).toEqual(before);
  });

  it('--fix repairs in one transaction, records each repair as the CLI run, audits again and exits 0', async () => {
    const run = await audit('--fix');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Applied 11 repairs in one transaction/);
    expect(run.stdout).toMatch(/Audit after the repairs:\nQuest consistency audit \(all users\): 20 quests checked, 0 findings/);
    const entries = await db.sql(`select actor_kind, actor_user_id, user_agent from audit_logs where action = 'REPAIR'`);
    expect(entries).toHaveLength(EXPECTED_FINDINGS.length);
    for (const entry of entries) {
      expect(entry).toMatchObject({ actor_kind: 'SYSTEM', actor_user_id: null });
      expect(entry.user_agent).toMatch(/^assay audit quests --fix \(os user .+ on .+\)$/);
    }
    const again = await audit();
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/0 findings/);
  });
});
