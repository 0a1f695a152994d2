import { describe, expect, test as base } from 'vitest';
import { csvText } from '../src/http/csv';
import {
  AssessmentStatsAllDocument,
  AttemptStatsAllDocument,
  CreateApiKeyDocument,
  MonitoringStatsAllDocument,
  type AssessmentDimension,
  type AssessmentFilter,
  type AssessmentMetric,
} from './generated/graphql';
import { startTestApp, type TestApp } from './support/app';
import { sql } from './support/assessments';

/*
 * GET /stats/assessments.csv (issue 18): the assessmentStats operation run through the
 * GraphQL pipeline and answered as CSV. Each answer is checked against what /graphql answers
 * the same caller for the same arguments, over real HTTP, with tokens and an API key.
 */

interface Callers {
  admin: string;
  teacher: string;
  student: string;
  /** teacher1's API key with the read scope. */
  teacherKey: string;
}

// Small enough that an admin's SKILL × COHORT groups are cut, so `truncated` is seen both ways.
const MAX_GROUPS = 20;

const test = base.extend<{ app: TestApp; callers: Callers }>({
  app: [
    async ({}, use) => {
      const app = await startTestApp({ STATS_MAX_GROUPS: String(MAX_GROUPS) });
      await use(app);
      await app.stop();
    },
    { scope: 'file' },
  ],
  callers: [
    async ({ app }, use) => {
      const [admin, teacher, student] = await Promise.all(['admin', 'teacher1', 'student1'].map((u) => app.login(`${u}@example.edu`)));
      const created = await app.gql(CreateApiKeyDocument, { input: { name: 'stats-csv', scopes: ['read'] } }, { token: teacher });
      expect(created.errors).toBeUndefined();
      await use({ admin, teacher, student, teacherKey: created.data!.createApiKey.key });
    },
    { scope: 'file' },
  ],
});

const headersOf = (credential: string): Record<string, string> =>
  credential.startsWith('assay_') ? { 'x-api-key': credential } : { authorization: `Bearer ${credential}` };

async function getCsv(app: TestApp, search: string, headers: Record<string, string> = {}, path = '/stats/assessments.csv') {
  const response = await fetch(`${app.url.replace(/\/graphql$/, '')}${path}?${search}`, { headers });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const KEY_FIELD: Record<AssessmentDimension, string> = { SKILL: 'skill', STUDENT: 'studentId', COHORT: 'cohort', SOURCE: 'source', MODEL: 'model', DAY: 'day', WEEK: 'week', MONTH: 'month' };
const camel = (metric: AssessmentMetric) => metric.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** What the CSV must say: /graphql's answer for the same caller and arguments, written out by hand (no value here needs quoting). */
async function expectedCsv(app: TestApp, credential: string, groupBy: AssessmentDimension[], metrics: AssessmentMetric[], filter?: AssessmentFilter) {
  const answer = await app.gql(AssessmentStatsAllDocument, { groupBy, metrics, filter }, headersOf(credential).authorization ? { token: credential } : { apiKey: credential });
  expect(answer.errors).toBeUndefined();
  const stats = answer.data!.assessmentStats;
  const columns = [...groupBy.map((d) => KEY_FIELD[d]), ...metrics.map(camel)];
  const lines = [
    columns.map(snake).join(','),
    ...stats.rows.map((row) => columns.map((c) => String((row.key as Record<string, string | null>)[c] ?? (row.values as Record<string, number | null>)[c] ?? '')).join(',')),
  ];
  return { text: lines.map((l) => `${l}\r\n`).join(''), truncated: stats.truncated, rows: stats.rows.length };
}

/** Five months up to the newest assessment's: few enough MONTH buckets for MAX_GROUPS. */
async function recentMonths(app: TestApp) {
  const [{ from, to }] = await sql<{ from: Date; to: Date }>(
    app,
    `select date_trunc('month', max(created_at), 'UTC') - interval '4 months' as from, max(created_at) + interval '1 second' as to from skill_assessments`,
  );
  return { from: from.toISOString(), to: to.toISOString() };
}

describe('GET /stats/assessments.csv', () => {
  test('answers what assessmentStats answers the same caller, as CSV with a header row', async ({ app, callers }) => {
    const { from, to } = await recentMonths(app);
    const cases: { who: keyof Callers; groupBy: AssessmentDimension[]; metrics: AssessmentMetric[]; filter?: AssessmentFilter; search: string }[] = [
      { who: 'admin', groupBy: ['SKILL'], metrics: ['COUNT', 'AVG_SCORE'], search: 'groupBy=SKILL&metrics=COUNT,AVG_SCORE' },
      { who: 'admin', groupBy: ['SKILL', 'COHORT'], metrics: ['COUNT', 'AVG_SCORE'], search: 'groupBy=SKILL,COHORT&metrics=COUNT,AVG_SCORE' },
      { who: 'teacher', groupBy: ['COHORT', 'SKILL'], metrics: ['COUNT', 'AVG_SCORE', 'P90_SCORE'], search: 'groupBy=COHORT,SKILL&metrics=COUNT,AVG_SCORE,P90_SCORE' },
      { who: 'student', groupBy: ['SKILL', 'SOURCE'], metrics: ['COUNT', 'MIN_SCORE', 'STDDEV_SCORE'], search: 'groupBy=SKILL,SOURCE&metrics=COUNT,MIN_SCORE,STDDEV_SCORE' },
      {
        who: 'teacherKey',
        groupBy: ['MONTH', 'SKILL'],
        metrics: ['COUNT', 'AVG_CONFIDENCE', 'EVIDENCE_COUNT'],
        filter: { from, to, skillTypes: ['EMPATHY', 'RESILIENCE'] },
        search: `groupBy=MONTH,SKILL&metrics=COUNT,AVG_CONFIDENCE,EVIDENCE_COUNT&from=${from}&to=${to}&skillTypes=EMPATHY,RESILIENCE`,
      },
      { who: 'teacherKey', groupBy: [], metrics: ['COUNT'], search: 'groupBy=&metrics=COUNT' },
    ];
    const seen = new Set<boolean>();
    for (const c of cases) {
      const expected = await expectedCsv(app, callers[c.who], c.groupBy, c.metrics, c.filter);
      const csv = await getCsv(app, c.search, headersOf(callers[c.who]));
      expect(csv.status, `${c.who} ${c.search}: ${csv.text}`).toBe(200);
      expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(csv.headers.get('cache-control')).toBe('no-store');
      expect(csv.text, `${c.who} ${c.search}`).toBe(expected.text);
      expect(csv.headers.get('x-assay-truncated')).toBe(String(expected.truncated));
      seen.add(expected.truncated);
      if (c.who !== 'teacherKey' || c.groupBy.length) expect(expected.rows, `${c.who} ${c.search} has groups`).toBeGreaterThan(0);
    }
    expect(seen).toEqual(new Set([true, false]));
  });

  test('a time bucket is ISO 8601 UTC and a student filter narrows the groups', async ({ app, callers }) => {
    const [{ id }] = await sql<{ id: string }>(app, `select id from users where email = 'student1@example.edu'`);
    const { from, to } = await recentMonths(app);
    const csv = await getCsv(app, `groupBy=MONTH&metrics=COUNT&from=${from}&to=${to}&studentId=${id}`, headersOf(callers.admin));
    expect(csv.status).toBe(200);
    const [header, ...rows] = csv.text.trimEnd().split('\r\n');
    expect(header).toBe('month,count');
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toMatch(/^\d{4}-\d{2}-01T00:00:00\.000Z,\d+$/);
    const [{ n }] = await sql<{ n: string }>(app, 'select count(*) as n from skill_assessments where student_id = $1 and created_at >= $2 and created_at < $3', [id, from, to]);
    expect(rows.reduce((sum, row) => sum + Number(row.split(',')[1]), 0)).toBe(Number(n));
  });

  test('quotes a value holding a comma and quotes (RFC 4180)', async ({ app, callers }) => {
    await sql(app, `update skill_assessments set model_name = 'tutor, "large"' where id = (select id from skill_assessments order by id limit 1)`);
    const csv = await getCsv(app, 'groupBy=MODEL&metrics=COUNT', headersOf(callers.admin));
    expect(csv.status).toBe(200);
    expect(csv.text).toContain('\r\n"tutor, ""large""",1\r\n');
  });

  test('a student grouping by STUDENT is refused 403, as GraphQL refuses it', async ({ app, callers }) => {
    const csv = await getCsv(app, 'groupBy=STUDENT&metrics=COUNT', headersOf(callers.student));
    expect(csv.status).toBe(403);
    expect(csv.headers.get('content-type')).toMatch(/^application\/json/);
    expect(JSON.parse(csv.text).errors[0].extensions.code).toBe('FORBIDDEN');
  });

  test('no credential or a bad one is 401 UNAUTHENTICATED', async ({ app }) => {
    const refused: Record<string, string>[] = [{}, { 'x-api-key': 'assay_not-a-real-key' }, { authorization: 'Bearer nonsense' }];
    for (const headers of refused) {
      const csv = await getCsv(app, 'groupBy=SKILL&metrics=COUNT', headers);
      expect(csv.status, JSON.stringify(headers)).toBe(401);
      expect(JSON.parse(csv.text).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
  });

  test('bad parameters are 400 BAD_USER_INPUT, naming what is wrong', async ({ app, callers }) => {
    const refusals: [string, RegExp][] = [
      ['groupBy=SKILL,COLOUR&metrics=COUNT', /Unknown AssessmentDimension "COLOUR" in groupBy: use one of SKILL, STUDENT, COHORT, SOURCE, MODEL, DAY, WEEK, MONTH/],
      ['groupBy=SKILL&metrics=MEAN', /Unknown AssessmentMetric "MEAN" in metrics: use one of COUNT, AVG_SCORE/],
      ['groupBy=SKILL&metrics=COUNT&skillTypes=EMPATHY,JUGGLING', /Unknown SkillType "JUGGLING" in skillTypes/],
      ['metrics=COUNT', /Missing parameter groupBy: a comma-separated list of AssessmentDimension \(SKILL, /],
      ['groupBy=SKILL', /Missing parameter metrics/],
      ['groupBy=SKILL&metrics=COUNT&colour=red', /Unknown parameter "colour": use groupBy, metrics, studentId, skillTypes, from, to$/],
      ['groupBy=SKILL&metrics=COUNT&from=2020-01-01&from=2021-01-01', /Parameter from is given more than once/],
      ['groupBy=MONTH&metrics=COUNT', /grouping by MONTH needs filter\.from/],
      ['groupBy=DAY,SKILL&metrics=COUNT&from=2000-01-01T00:00:00Z', new RegExp(`over STATS_MAX_GROUPS = ${MAX_GROUPS}`)],
      ['groupBy=SKILL&metrics=COUNT&from=yesterday', /DateTimeISO|from/],
      ['groupBy=SKILL&metrics=', /metrics must name at least one metric/],
    ];
    for (const [search, message] of refusals) {
      const csv = await getCsv(app, search, headersOf(callers.teacherKey));
      expect(csv.status, `${search}: ${csv.text}`).toBe(400);
      const error = JSON.parse(csv.text).errors[0];
      expect(error.extensions.code, search).toBe('BAD_USER_INPUT');
      expect(error.message, search).toMatch(message);
    }
  });
});

/** An answer's rows as CSV lines, in the given key and value fields' order: what the endpoint must write for them. */
const linesOf = (header: string, rows: { key: Record<string, unknown>; values: Record<string, unknown> }[], keys: string[], values: string[]) =>
  [header, ...rows.map((r) => [...keys.map((k) => r.key[k]), ...values.map((v) => r.values[v])].map((x) => (x == null ? '' : String(x as string | number))).join(','))]
    .map((l) => `${l}\r\n`)
    .join('');

describe('GET /stats/attempts.csv and /stats/monitoring.csv', () => {
  test('answer what attemptStats and monitoringStats answer the same caller; students get no proctoring statistics', async ({ app, callers }) => {
    for (const who of ['admin', 'teacher', 'student'] as const) {
      const attempts = await app.gql(AttemptStatsAllDocument, { groupBy: ['EXAM', 'STATUS'], metrics: ['COUNT', 'PASS_RATE', 'AVG_DURATION_SECONDS'] }, { token: callers[who] });
      const csv = await getCsv(app, 'groupBy=EXAM,STATUS&metrics=COUNT,PASS_RATE,AVG_DURATION_SECONDS', headersOf(callers[who]), '/stats/attempts.csv');
      expect(csv.status, csv.text).toBe(200);
      expect(attempts.data!.attemptStats.rows.length).toBeGreaterThan(0);
      expect(csv.text).toBe(linesOf('exam_id,status,count,pass_rate,avg_duration_seconds', attempts.data!.attemptStats.rows, ['examId', 'status'], ['count', 'passRate', 'avgDurationSeconds']));
    }
    const events = await app.gql(MonitoringStatsAllDocument, { groupBy: ['SEVERITY', 'EVENT_TYPE'], metrics: ['COUNT', 'ANOMALY_COUNT'], filter: { severities: ['WARNING', 'CRITICAL'] } }, { apiKey: callers.teacherKey });
    const csv = await getCsv(app, 'groupBy=SEVERITY,EVENT_TYPE&metrics=COUNT,ANOMALY_COUNT&severities=WARNING,CRITICAL', headersOf(callers.teacherKey), '/stats/monitoring.csv');
    expect(csv.status, csv.text).toBe(200);
    expect(events.data!.monitoringStats.rows.length).toBeGreaterThan(0);
    expect(csv.text).toBe(linesOf('severity,event_type,count,anomaly_count', events.data!.monitoringStats.rows, ['severity', 'eventType'], ['count', 'anomalyCount']));
    const student = await getCsv(app, 'groupBy=EVENT_TYPE&metrics=COUNT', headersOf(callers.student), '/stats/monitoring.csv');
    expect(student.status).toBe(403);
    expect(JSON.parse(student.text).errors[0].extensions.code).toBe('FORBIDDEN');
    const unknown = await getCsv(app, 'groupBy=EXAM&metrics=COUNT&attemptId=x', headersOf(callers.admin), '/stats/monitoring.csv');
    expect(unknown.status).toBe(400);
    expect(JSON.parse(unknown.text).errors[0].message).toContain('attemptId must be a UUID');
  });
});

describe('csvText', () => {
  test('quotes fields with separators, quotes or line breaks, and leaves nulls empty', () => {
    expect(csvText(['a', 'b c', 'd'], [['x,y', 'say "hi"', null], ['line\nbreak', 'cr\r', 0.5], [undefined, '', true]])).toBe(
      'a,b c,d\r\n"x,y","say ""hi""",\r\n"line\nbreak","cr\r",0.5\r\n,,true\r\n',
    );
  });
});
