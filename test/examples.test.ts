import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientAssessmentsDocument, type ClientAssessmentsQuery } from '../examples/generated/graphql';
import { CreateApiKeyDocument } from './generated/graphql';
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

const countBy = (values: string[]) => Object.fromEntries([...new Set(values)].sort().map((v) => [v, values.filter((x) => x === v).length]));

describe('examples/notebook.py', () => {
  it('pages through every assessment an API key may read and prints each skill with its count', async () => {
    const created = await app.gql(CreateApiKeyDocument, { input: { name: 'notebook', scopes: ['read'] } }, { token: teacherToken });
    const expected = await readable(teacherToken);
    expect(expected.length).toBeGreaterThan(100);
    const notebook = await run('python3', ['examples/notebook.py'], { ASSAY_URL: app.url, ASSAY_API_KEY: created.data!.createApiKey.key });
    expect(notebook.stderr).toBe('');
    expect(notebook.code).toBe(0);
    const [first, ...skills] = notebook.stdout.trim().split('\n').filter((l) => !l.startsWith('DataFrame'));
    expect(first).toBe(`${expected.length} assessments read of ${expected.length}`);
    const printed = Object.fromEntries(skills.map((l) => l.split(/\s+/)).map(([skill, count]) => [skill, Number(count)]));
    expect(printed).toEqual(countBy(expected.map((r) => r.skillType)));
  });

  it('builds a DataFrame of the rows when pandas is installed', async ({ skip }) => {
    if ((await run('python3', ['-c', 'import pandas'], {})).code !== 0) {
      console.info('[examples] pandas is not installed for python3 here: the DataFrame step is not run');
      skip();
    }
    const created = await app.gql(CreateApiKeyDocument, { input: { name: 'notebook-pandas', scopes: ['read'] } }, { token: teacherToken });
    const notebook = await run('python3', ['examples/notebook.py'], { ASSAY_URL: app.url, ASSAY_API_KEY: created.data!.createApiKey.key });
    expect(notebook.stdout).toContain(`DataFrame: ${(await readable(teacherToken)).length} rows x 8 columns`);
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
