import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientAssessmentsDocument, type ClientAssessmentsQuery } from '../examples/generated/graphql';
import { AssessmentStatsAllDocument, CreateApiKeyDocument } from './generated/graphql';
import { startTestApp, type TestApp } from './support/app';
import { runProcess } from './support/cli';
import { DEMO_PASSWORD } from './support/constants';

/*
 * The README's clients, run as their users run them against a real server: the Python
 * notebook example with an API key, and the typed TypeScript client with a demo login.
 * What they print is checked against what the same account reads through GraphQL.
 */
const root = path.resolve(__dirname, '..');
let app: TestApp;
let teacherToken: string;

beforeAll(async () => {
  app = await startTestApp();
  teacherToken = await app.login('teacher1@example.edu');
});
afterAll(() => app?.stop());

/** Runs an example as its users would: with PATH and HOME, and the variables it reads. */
const run = (command: string, args: string[], env: Record<string, string>) =>
  runProcess(command, args, { cwd: root, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env } });

/** What the account reads through GraphQL, with the example's own typed document: every assessment, all pages. */
async function readable(token: string) {
  const rows: ClientAssessmentsQuery['assessments']['edges'][number]['node'][] = [];
  let after: string | null = null;
  for (;;) {
    const { data }: { data: ClientAssessmentsQuery | null } = await app.gql(ClientAssessmentsDocument, { first: 100, after }, { token });
    rows.push(...data!.assessments.edges.map((e) => e.node));
    if (!data!.assessments.pageInfo.hasNextPage) return rows;
    after = data!.assessments.pageInfo.endCursor ?? null;
  }
}

/** The Python that has pandas: the one on PATH, or Debian's (python3-pandas), whose python3 a pyenv on PATH hides; null when neither has it. */
async function pythonWithPandas(): Promise<string | null> {
  for (const python of ['python3', '/usr/bin/python3']) {
    if ((await run(python, ['-c', 'import pandas'], {})).code === 0) return python;
  }
  return null;
}

/** The notebook's lines before its grouped call, and the grouped rows it printed after the line naming how it asked. */
function notebookOutput(stdout: string) {
  const lines = stdout.trim().split('\n');
  const at = lines.findIndex((l) => l.startsWith('Grouped by the server'));
  expect(at, stdout).toBeGreaterThan(0);
  return {
    paged: lines.slice(0, at).filter((l) => !l.startsWith('DataFrame')),
    groupedVia: lines[at],
    grouped: lines.slice(at + 1).map((l) => l.split(/\s+/)).map(([skill, count, , , score]) => ({ skill, count: Number(count), score: Number(score) })),
  };
}

/** The notebook's grouped rows are assessmentStats by SKILL for the key's owner, as GraphQL answers it. */
async function expectSkillStats(grouped: ReturnType<typeof notebookOutput>['grouped'], token: string) {
  const { data } = await app.gql(AssessmentStatsAllDocument, { groupBy: ['SKILL'], metrics: ['COUNT', 'AVG_SCORE'] }, { token });
  const rows = data!.assessmentStats.rows;
  expect(rows.length).toBeGreaterThan(0);
  expect(grouped.map((g) => [g.skill, g.count])).toEqual(rows.map((r) => [r.key.skill, r.values.count]));
  grouped.forEach((g, i) => expect(g.score).toBeCloseTo(rows[i].values.avgScore!, 6));
}

const countBy = (values: string[]) => Object.fromEntries([...new Set(values)].sort().map((v) => [v, values.filter((x) => x === v).length]));

describe('examples/notebook.py', () => {
  it('pages through every assessment an API key may read and prints each skill with its count', async () => {
    const created = await app.gql(CreateApiKeyDocument, { input: { name: 'notebook', scopes: ['read'] } }, { token: teacherToken });
    const expected = await readable(teacherToken);
    expect(expected.length).toBeGreaterThan(100);
    const notebook = await run('python3', ['examples/notebook.py'], { ASSAY_URL: app.url, ASSAY_API_KEY: created.data!.createApiKey.key });
    expect(notebook.stderr).toBe('');
    expect(notebook.code).toBe(0);
    const { paged: [first, ...skills], grouped } = notebookOutput(notebook.stdout);
    expect(first).toBe(`${expected.length} assessments read of ${expected.length}`);
    const printed = Object.fromEntries(skills.map((l) => l.split(/\s+/)).map(([skill, count]) => [skill, Number(count)]));
    expect(printed).toEqual(countBy(expected.map((r) => r.skillType)));
    await expectSkillStats(grouped, teacherToken);
  });

  it('without pandas, asks for the grouped statistics through GraphQL', async ({ skip }) => {
    if ((await run('python3', ['-c', 'import pandas'], {})).code === 0) {
      console.info('[examples] python3 here has pandas: the GraphQL path of the grouped call is not run');
      skip();
    }
    const created = await app.gql(CreateApiKeyDocument, { input: { name: 'notebook-plain', scopes: ['read'] } }, { token: teacherToken });
    const notebook = await run('python3', ['examples/notebook.py'], { ASSAY_URL: app.url, ASSAY_API_KEY: created.data!.createApiKey.key });
    expect(notebook.code).toBe(0);
    const { groupedVia, grouped } = notebookOutput(notebook.stdout);
    expect(groupedVia).toBe('Grouped by the server (assessmentStats, GraphQL):');
    await expectSkillStats(grouped, teacherToken);
  });

  it('with pandas, builds a DataFrame of the rows and reads the grouped statistics from the CSV endpoint', async ({ skip }) => {
    const python = await pythonWithPandas();
    if (!python) {
      console.info('[examples] pandas is not installed for python3 here (nor Debian\'s python3-pandas): the DataFrame and CSV steps are not run');
      skip();
      return;
    }
    const created = await app.gql(CreateApiKeyDocument, { input: { name: 'notebook-pandas', scopes: ['read'] } }, { token: teacherToken });
    const notebook = await run(python, ['examples/notebook.py'], { ASSAY_URL: app.url, ASSAY_API_KEY: created.data!.createApiKey.key });
    expect(notebook.stderr).toBe('');
    expect(notebook.code).toBe(0);
    expect(notebook.stdout).toContain(`DataFrame: ${(await readable(teacherToken)).length} rows x 8 columns`);
    const { groupedVia, grouped } = notebookOutput(notebook.stdout);
    expect(groupedVia).toBe('Grouped by the server (assessmentStats, CSV endpoint):');
    await expectSkillStats(grouped, teacherToken);
  });

  it('stops with the server’s error code for a key it does not accept', async () => {
    const notebook = await run('python3', ['examples/notebook.py'], { ASSAY_URL: app.url, ASSAY_API_KEY: 'assay_not-a-real-key' });
    expect(notebook.code).not.toBe(0);
    expect(notebook.stderr).toMatch(/Assay refused the query: UNAUTHENTICATED/);
  });

  it('asks for a key when none is set', async () => {
    const notebook = await run('python3', ['examples/notebook.py'], { ASSAY_URL: app.url });
    expect(notebook.code).toBe(1);
    expect(notebook.stderr).toMatch(/Set ASSAY_API_KEY/);
  });
});

describe('examples/typed-client.ts', () => {
  it('signs in and prints every assessment the teacher may read, counted by student', async () => {
    const client = await run(process.execPath, ['-r', '@swc-node/register', 'examples/typed-client.ts'], {
      ASSAY_URL: app.url,
      ASSAY_EMAIL: 'teacher1@example.edu',
      ASSAY_PASSWORD: DEMO_PASSWORD,
    });
    expect(client.stderr).toBe('');
    expect(client.code).toBe(0);
    const expected = await readable(teacherToken);
    const [signedIn, read, ...students] = client.stdout.trim().split('\n');
    expect(signedIn).toBe('Signed in as teacher1 (TEACHER)');
    expect(read).toBe(`${expected.length} assessments read of ${expected.length}`);
    expect(Object.fromEntries(students.map((l) => l.split('\t')).map(([name, count]) => [name, Number(count)]))).toEqual(
      countBy(expected.map((r) => r.student.username)),
    );
  });
});
