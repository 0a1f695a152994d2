import { gzipSync } from 'node:zlib';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { CreateExamDocument, PublishExamDocument, StartExamAttemptDocument } from './generated/graphql';
import { codeOf, GRAPHQL_RESPONSE_JSON, startTestApp, type TestApp } from './support/app';
import { sql } from './support/assessments';
import { examInput } from './support/exams';
import { exchangeFrames, type Closed } from './support/subscriptions';

/*
 * Hostile documents, values and bodies, each sent through every channel it can travel: a
 * POST's JSON body, a GET's query string, a query's variables, the input objects of two real
 * mutations (a monitoring batch, an assessment), and a WebSocket subscribe message. Each must
 * be refused before anything runs, as BAD_USER_INPUT with a message that names the limit (or
 * the status or close code that does), never a 5xx, with nothing written and no prototype
 * touched. The server is in production mode (what issue 11 probed), with the statement header on.
 */
let app: TestApp;
let teacher: string;
let student: string;
let admin: string;
let attemptId: string;

beforeAll(async () => {
  app = await startTestApp({ NODE_ENV: 'production', DIAGNOSTIC_HEADERS: 'true' });
  [admin, teacher, student] = await Promise.all(['admin', 'teacher1', 'student1'].map((name) => app.login(`${name}@example.edu`)));
  const exam = (await app.gql(CreateExamDocument, { input: examInput() }, { token: teacher })).data!.createExam;
  await app.gql(PublishExamDocument, { id: exam.id }, { token: teacher });
  attemptId = (await app.gql(StartExamAttemptDocument, { examId: exam.id }, { token: student })).data!.startAttempt.id;
});
afterAll(() => app?.stop());

afterEach(() => {
  // The server runs in this process: a polluted prototype would show here.
  expect(Object.prototype).not.toHaveProperty('polluted');
});

interface GraphQLErrorJson {
  message: string;
  extensions?: { code?: string };
}

/** What a channel answered: an HTTP status and body, or a socket's message for the subscription or its close. */
interface Answer {
  status?: number;
  errors?: GraphQLErrorJson[];
  data?: unknown;
  /** SQL statements the request ran (the diagnostic header; none for a refusal at the edge). */
  statements?: number;
  /** Rows a mutation wrote. */
  written?: number;
  via: 'http' | 'ws';
  /** The WebSocket message that answered the subscription. */
  wsType?: string;
  closed?: Closed | null;
}

async function http(request: { method?: 'GET'; search?: Record<string, string>; body?: string | Buffer; token?: string; headers?: Record<string, string> }): Promise<Answer> {
  const headers: Record<string, string> = { ...GRAPHQL_RESPONSE_JSON, authorization: `Bearer ${request.token ?? teacher}`, ...request.headers };
  const url = request.search ? `${app.url}?${new URLSearchParams(request.search).toString()}` : app.url;
  const response =
    request.method === 'GET'
      ? await fetch(url, { headers: { ...headers, 'apollo-require-preflight': 'true' } })
      : await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: request.body });
  const text = await response.text();
  const body = (text ? JSON.parse(text) : {}) as { errors?: GraphQLErrorJson[]; data?: unknown };
  return { via: 'http', status: response.status, ...body, statements: Number(response.headers.get('x-sql-statements') ?? 0) };
}

async function ws(frames: string[]): Promise<Answer> {
  const { messages, closed } = await exchangeFrames(app.url, { authorization: `Bearer ${teacher}` }, frames);
  const answer = messages.find((m) => m.type !== 'connection_ack');
  const payload = answer?.payload as GraphQLErrorJson[] | { errors?: GraphQLErrorJson[] } | undefined;
  return { via: 'ws', wsType: answer?.type, errors: Array.isArray(payload) ? payload : payload?.errors, closed };
}

const subscribeFrame = (query: string, variables: unknown = {}) => JSON.stringify({ type: 'subscribe', id: '1', payload: { query, variables } });

/** Where a hostile JSON value goes: its text is put in as it is, so keys like __proto__ and escapes survive. */
const HOLE = '\u0001hole\u0001';
const fill = (json: unknown, value: string) => JSON.stringify(json).replace(JSON.stringify(HOLE), value);

/** A mutation, and the rows it could write counted before and after. */
async function writing(count: () => Promise<number>, send: () => Promise<Answer>): Promise<Answer> {
  const before = await count();
  const answer = await send();
  return { ...answer, written: (await count()) - before };
}
const countOf = async (query: string) => Number((await sql<{ n: string }>(app, query))[0].n);
const monitoringEvents = () => countOf(`select count(*) as n from monitoring_events where attempt_id = '${attemptId}'`);
const assessments = () => countOf('select count(*) as n from skill_assessments');

/** One event of the attempt in progress, its payload the value. */
const RECORD_EVENTS = 'mutation($a: ID!, $e: [MonitoringEventInput!]!) { recordMonitoringEvents(attemptId: $a, events: $e) { accepted } }';
const monitoringBatch = (payload: string, events: Record<string, unknown>[] = [{ eventId: `ev-${Math.random()}`, eventType: 'focus', clientTimestamp: new Date().toISOString(), payload: HOLE }]) =>
  writing(monitoringEvents, () => http({ token: student, body: fill({ query: RECORD_EVENTS, variables: { a: attemptId, e: events } }, payload) }));

const CREATE_ASSESSMENT = 'mutation($i: CreateAssessmentInput!) { createAssessment(input: $i) { id } }';
const assessmentInput = async (overrides: Record<string, unknown>) => {
  const [row] = await sql<{ id: string }>(app, `select id from users where email = 'student2@example.edu'`);
  return {
    studentId: row.id,
    skillType: 'COLLABORATION',
    score: 0.5,
    confidence: 0.9,
    reasoning: 'Built on a peer’s idea.',
    source: 'ML_INFERENCE',
    modelName: 'skill-gbm',
    modelVersion: '2.0.0',
    featureImportance: { turn_taking: 1 },
    evidence: [{ kind: 'BEHAVIORAL', content: 'Handed over the controller.' }],
    ...overrides,
  };
};
const createAssessment = async (value: string, overrides: Record<string, unknown> = { featureImportance: HOLE }) =>
  writing(assessments, async () => http({ token: admin, body: fill({ query: CREATE_ASSESSMENT, variables: { i: await assessmentInput(overrides) } }, value) }));

/** A query whose JSONObject variable reaches SQL unless the edge stops it (payload @> $v). */
const carrierQuery = () => `query($v: JSONObject) { attemptMonitoring(attemptId: "${attemptId}", filter: { payloadContains: $v }) { totalCount } }`;
const FLAG_FEED = 'subscription($v: FlaggedStudentFilter) { studentFlagged(filter: $v) { seq } }';

/** A document's root: an HTTP query, or a subscription over the socket. */
interface Root {
  operation: 'query' | 'subscription';
  field: string;
  type: string;
  leaf: string;
}
const QUERY_ROOT: Root = { operation: 'query', field: 'me', type: 'User', leaf: 'id' };
const SUBSCRIPTION_ROOT: Root = { operation: 'subscription', field: 'studentFlagged', type: 'StudentFlaggedEvent', leaf: 'seq' };

const documentChannels: Record<string, (document: (root: Root) => string) => Promise<Answer>> = {
  'POST body': (document) => http({ body: JSON.stringify({ query: document(QUERY_ROOT) }) }),
  'GET query string': (document) => http({ method: 'GET', search: { query: document(QUERY_ROOT) } }),
  'WebSocket subscribe': (document) => ws([subscribeFrame(document(SUBSCRIPTION_ROOT))]),
};

/** Each channel a hostile value travels, with a plain value it carries through (the control). */
const valueChannels: Record<string, { send: (json: string) => Promise<Answer>; plain: string }> = {
  'POST variables': { send: (json) => http({ body: fill({ query: carrierQuery(), variables: { v: HOLE } }, json) }), plain: '{"gaze":1}' },
  'GET variables': { send: (json) => http({ method: 'GET', search: { query: carrierQuery(), variables: fill({ v: HOLE }, json) } }), plain: '{"gaze":1}' },
  'input object: a monitoring batch': { send: (json) => monitoringBatch(json), plain: '{"gaze":1}' },
  'input object: an assessment': { send: (json) => createAssessment(json), plain: '{"turn_taking":0.5}' },
  'WebSocket subscribe variables': {
    send: (json) => ws([fill({ type: 'subscribe', id: '1', payload: { query: FLAG_FEED, variables: { v: HOLE } } }, json)]),
    plain: '{"cohort":"cohort-1"}',
  },
};

/** Refused before anything ran: a 4xx or a socket error, every error BAD_USER_INPUT, one naming the limit, no data, no row. */
function expectRefused(answer: Answer, limit: RegExp) {
  if (answer.via === 'ws') expect(answer.wsType).toBe('error');
  else {
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(answer.data ?? null).toBeNull();
    // At most the credential's own check: no resolver ran.
    expect(answer.statements).toBeLessThanOrEqual(1);
  }
  expect(answer.errors?.length).toBeGreaterThan(0);
  expect(new Set(answer.errors!.map((e) => e.extensions?.code))).toEqual(new Set(['BAD_USER_INPUT']));
  expect(answer.errors!.map((e) => e.message).join('\n')).toMatch(limit);
  expect(answer.written ?? 0).toBe(0);
}

/** Taken: answered 200 without errors, or a subscription left running. */
function expectCarried(answer: Answer) {
  expect(answer.errors).toBeUndefined();
  if (answer.via === 'http') expect(answer.status).toBe(200);
  else expect(answer).toMatchObject({ wsType: undefined, closed: null });
}

const nested = (open: string, close: string, depth: number, inner: string) => `${open.repeat(depth)}${inner}${close.repeat(depth)}`;

const hostileDocuments: { shape: string; document: (root: Root) => string; limit: RegExp }[] = [
  { shape: 'selections 16 deep', document: (r) => `${r.operation} { ${r.field} { ${nested('a { ', ' }', 16, r.leaf)} } }`, limit: /depth limit of 15 exceeded/ },
  // 1,000, not the 2,400 that overflowed the parser's stack: a GET's query string holds no more.
  { shape: 'selections 1,000 deep', document: (r) => `${r.operation} { ${r.field} { ${nested('a { ', ' }', 1000, r.leaf)} } }`, limit: /selections nested deeper than 31 levels/ },
  { shape: '21 aliases', document: (r) => `${r.operation} { ${r.field} { ${Array.from({ length: 21 }, (_, i) => `a${i}: ${r.leaf}`).join(' ')} } }`, limit: /Aliases limit of 20 exceeded/ },
  {
    shape: 'a fragment cycle',
    document: (r) => `${r.operation} { ${r.field} { ...A } } fragment A on ${r.type} { ${r.leaf} ...B } fragment B on ${r.type} { ...A }`,
    limit: /Cannot spread fragment "A" within itself via "B"/,
  },
  { shape: '6 directives on a field', document: (r) => `${r.operation} { ${r.field} ${'@include(if: true) '.repeat(6)}{ ${r.leaf} } }`, limit: /Directives limit of 5 exceeded/ },
  { shape: 'list values 2,400 deep', document: (r) => `${r.operation} { ${r.field}(x: ${nested('[', ']', 2400, '1')}) { ${r.leaf} } }`, limit: /values nested deeper than 32 levels/ },
  { shape: '5,001 tokens', document: (r) => `${r.operation} { ${r.field} { ${'a '.repeat(5001)}} }`, limit: /more th.. 5000 tokens/ },
  { shape: 'a NUL in a string', document: (r) => `${r.operation} { ${r.field}(x: "a\\u0000b") { ${r.leaf} } }`, limit: /NUL character \(U\+0000\)/ },
  { shape: 'a lone surrogate in a string', document: (r) => `${r.operation} { ${r.field}(x: "\\ud800") { ${r.leaf} } }`, limit: /Invalid Unicode escape sequence/ },
  { shape: 'an object field named __proto__', document: (r) => `${r.operation} { ${r.field}(x: { __proto__: { polluted: true } }) { ${r.leaf} } }`, limit: /value named __proto__/ },
];

const hostileValues: { shape: string; json: string; limit: RegExp }[] = [
  { shape: 'JSON nested 1,000 deep', json: `{"a":${nested('[', ']', 1000, '')}}`, limit: /nested deeper than 32 levels \(JSON_MAX_DEPTH\)/ },
  { shape: 'a NUL character', json: '{"note":"a\\u0000b"}', limit: /NUL character \(U\+0000\)/ },
  { shape: 'a NUL character in a key', json: '{"a\\u0000":1}', limit: /NUL character \(U\+0000\)/ },
  { shape: 'a lone high surrogate', json: '{"note":"a\\ud800b"}', limit: /lone UTF-16 surrogate/ },
  { shape: 'a lone low surrogate in a key', json: '{"\\udfff":1}', limit: /lone UTF-16 surrogate/ },
  { shape: 'a __proto__ key', json: '{"__proto__":{"polluted":true}}', limit: /__proto__ key/ },
  { shape: 'a __proto__ key inside a list', json: '{"list":[{"ok":1},{"__proto__":{"polluted":true}}]}', limit: /__proto__ key/ },
  { shape: 'a constructor.prototype path', json: '{"constructor":{"prototype":{"polluted":true}}}', limit: /constructor\.prototype key/ },
];

describe('hostile documents', () => {
  describe.each(Object.entries(documentChannels))('through the %s', (_channel, send) => {
    it('a plain document passes (control)', async () => {
      const answer = await send((r) => `${r.operation} { ${r.field} { ${r.leaf} } }`);
      expectCarried(answer);
    });

    it.each(hostileDocuments)('refuses $shape', async ({ document, limit }) => expectRefused(await send(document), limit));
  });
});

describe('hostile values', () => {
  describe.each(Object.entries(valueChannels))('through %s', (_channel, { send, plain }) => {
    it('a plain value passes (control)', async () => expectCarried(await send(plain)));

    it.each(hostileValues)('refuses $shape', async ({ json, limit }) => expectRefused(await send(json), limit));
  });
});

const megabyteOfArrays = `{"query":"{ me { id } }","variables":{"v":${nested('[', ']', 500_000, '1')}}}`;

const hostileBodies: { shape: string; send: () => Promise<Answer>; status?: number; close?: number; limit?: RegExp }[] = [
  { shape: 'a POST body over BODY_LIMIT', send: () => http({ body: JSON.stringify({ query: `{ me { id } } #${'x'.repeat(1_100_000)}` }) }), status: 413, limit: /Request body exceeds 1mb/ },
  {
    shape: 'a gzip body that inflates past BODY_LIMIT',
    send: () => http({ body: gzipSync(JSON.stringify({ query: `{ me { id } } #${'x'.repeat(5_000_000)}` })), headers: { 'content-encoding': 'gzip' } }),
    status: 413,
    limit: /Request body exceeds 1mb/,
  },
  // Node's own limit on a request's head; it answers with the status alone.
  { shape: 'a GET query string over 16 KB', send: () => http({ method: 'GET', search: { query: `{ me { id } } #${'x'.repeat(20_000)}` } }), status: 431 },
  { shape: 'a WebSocket frame over 64 KB', send: () => ws([subscribeFrame(`${FLAG_FEED} #${'x'.repeat(70_000)}`)]), close: 1009 },
  { shape: 'a megabyte of nested arrays in a POST body', send: () => http({ body: megabyteOfArrays }), status: 400, limit: /nested deeper than 32 levels/ },
  {
    shape: 'a list of 100,000 ids in a POST body',
    send: () => http({ body: JSON.stringify({ query: 'query($ids: [ID!]) { me { id } }', variables: { ids: Array.from({ length: 100_000 }, (_, i) => String(i)) } }) }),
    status: 400,
    limit: /more than 50000 values \(JSON_MAX_VALUES\)/,
  },
  {
    shape: 'JSON nested 30,000 deep in a WebSocket frame',
    send: () => ws([fill({ type: 'subscribe', id: '1', payload: { query: FLAG_FEED, variables: { v: HOLE } } }, nested('[', ']', 30_000, ''))]),
    limit: /nested deeper than 32 levels/,
  },
  { shape: 'a batch of two operations in a POST body', send: () => http({ body: JSON.stringify([{ query: '{ me { id } }' }, { query: '{ me { id } }' }]) }), status: 400, limit: /batching disabled/ },
  { shape: 'an empty batch', send: () => http({ body: '[]' }), status: 400, limit: /batching disabled/ },
  { shape: 'a batch of two subscribe messages in one frame', send: () => ws([`[${subscribeFrame(FLAG_FEED)},${subscribeFrame(FLAG_FEED)}]`]), close: 4400 },
];

describe('hostile bodies and frames', () => {
  it.each(hostileBodies)('refuses $shape', async ({ send, status, close, limit }) => {
    const answer = await send();
    if (close) expect(answer.closed?.code).toBe(close);
    else if (status && !limit) expect(answer.status).toBe(status);
    else {
      expectRefused(answer, limit!);
      if (status) expect(answer.status).toBe(status);
    }
  });
});

describe('lists and sizes past their field’s limit, in input objects', () => {
  const event = (i: number) => ({ eventId: `bulk-${i}`, eventType: 'focus', clientTimestamp: new Date().toISOString() });
  it.each([
    { shape: '1,001 events in one monitoring batch', send: () => monitoringBatch('null', Array.from({ length: 1001 }, (_, i) => event(i))), limit: /at most 1000 a call/ },
    { shape: 'a monitoring payload over 16 KB', send: () => monitoringBatch(JSON.stringify({ blob: 'x'.repeat(17_000) })), limit: /at most 16384 \(MONITORING_MAX_PAYLOAD_BYTES\)/ },
    { shape: '51 pieces of evidence', send: () => createAssessment('null', { evidence: Array.from({ length: 51 }, () => ({ kind: 'BEHAVIORAL', content: 'x' })) }), limit: /evidence must contain no more than 50 elements/ },
    { shape: '10,000 feature weights', send: () => createAssessment(JSON.stringify(Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`f${i}`, 0])))), limit: /must name at most 200 features/ },
  ])('refuses $shape', async ({ send, limit }) => expectRefused(await send(), limit));
});

describe('odd Unicode that is text', () => {
  it.each([
    ['a right-to-left override', 'key \u202Eevil.exe'],
    ['a zero-width space', 'key\u200Bname'],
    ['an emoji (a surrogate pair)', 'key \u{1F680}'],
    ['a combining accent', 'cafe\u0301'],
  ])('keeps %s intact where free text is allowed', async (_what, name) => {
    const created = await app.gql<{ createApiKey: { apiKey: { id: string; name: string } } }, unknown>(
      'mutation($n: String!) { createApiKey(input: { name: $n, scopes: ["read"] }) { apiKey { id name } } }',
      { n: name },
      { token: teacher },
    );
    expect(created.data!.createApiKey.apiKey.name).toBe(name);
    expect(await sql(app, 'select name from api_keys where id = $1', [created.data!.createApiKey.apiKey.id])).toEqual([{ name }]);
  });

  it('refuses them in an identifier, naming its rule', async () => {
    const registered = await app.gql(
      'mutation($i: RegisterInput!) { register(input: $i) { accessToken } }',
      { i: { email: 'rtl@example.edu', username: 'admin\u202Egnp', password: 'long-enough-pw' } },
      { headers: GRAPHQL_RESPONSE_JSON },
    );
    expect(registered.status).toBe(400);
    expect(codeOf(registered)).toBe('BAD_USER_INPUT');
    expect(registered.errors![0].message).toMatch(/username/);
  });
});

describe('at the limits, not past them', () => {
  it('lets JSON at JSON_MAX_DEPTH through, whatever brackets its strings hold', async () => {
    // The body's object and variables take two of the 32 levels.
    const body = JSON.stringify({ query: '{ me { id } }', variables: { v: JSON.parse(nested('[', ']', 30, '1')) as unknown, s: '[[[[{{{{'.repeat(10) } });
    const answer = await http({ body });
    expect(answer.status).toBe(200);
    expect(answer.errors).toBeUndefined();
  });

  it('lets a list of 40,000 ids through, under JSON_MAX_VALUES', async () => {
    const ids = Array.from({ length: 40_000 }, (_, i) => String(i));
    const answer = await http({ body: JSON.stringify({ query: 'query($ids: [ID!]) { me { id } }', variables: { ids } }) });
    expect(answer.errors?.map((e) => e.message)).toEqual(['Variable "$ids" is never used.']);
  });

  it('counts aliases per operation: two operations of 15 each, one run by name', async () => {
    const operation = (name: string) => `query ${name} { ${Array.from({ length: 15 }, (_, i) => `a${i}: me { id }`).join(' ')} }`;
    const answer = await http({ body: JSON.stringify({ query: `${operation('One')} ${operation('Two')}`, operationName: 'Two' }) });
    expect(answer.status).toBe(200);
    expect(answer.errors).toBeUndefined();
  });

  it('lets inline fragments through: they add selection sets but no depth', async () => {
    const answer = await http({ body: JSON.stringify({ query: `{ me { ${nested('... on User { ', ' }', 10, 'id')} } }` }) });
    expect(answer.status).toBe(200);
    expect(answer.errors).toBeUndefined();
  });
});

describe('values PostgreSQL cannot store, which used to answer 500', () => {
  const cursor = (iso: string) => Buffer.from(JSON.stringify([iso, '00000000-0000-4000-8000-000000000000'])).toString('base64url');

  it('refuses cursors whose dates PostgreSQL cannot store', async () => {
    for (const iso of ['+275760-09-13T00:00:00.000Z', '-271821-04-20T00:00:00.000Z', '0000-01-01T00:00:00.000Z']) {
      expectRefused(await http({ body: JSON.stringify({ query: 'query($a: String) { assessments(after: $a) { totalCount } }', variables: { a: cursor(iso) } }) }), /not a cursor/);
    }
  });

  it('refuses dates outside the years 0001-9999, as variables and as literals', async () => {
    const query = 'query($from: DateTimeISO) { assessments(filter: { from: $from }) { totalCount } }';
    for (const from of ['0000-01-01T00:00:00Z', '+275760-09-13T00:00:00Z', '10000-01-01T00:00:00Z']) {
      expectRefused(await http({ body: JSON.stringify({ query, variables: { from } }) }), /years 0001-9999|DateTime/);
    }
    expectRefused(await http({ body: JSON.stringify({ query: '{ assessments(filter: { from: "0000-01-01T00:00:00Z" }) { totalCount } }' }) }), /years 0001-9999/);
    const fine = await http({ body: JSON.stringify({ query, variables: { from: '0001-01-01T00:00:00Z' } }) });
    expect(fine.errors).toBeUndefined();
  });

  it('refuses text that PostgreSQL counts longer than the API does (an emoji with its variation selector)', async () => {
    // class-validator counts "❤️" (U+2764 U+FE0F) as one character; varchar(128) counts two code points.
    const answer = await writing(assessments, async () => http({ token: admin, body: JSON.stringify({ query: CREATE_ASSESSMENT, variables: { i: await assessmentInput({ modelName: '❤️'.repeat(128) }) } }) }));
    // Refused by the database's column, the second line, so statements ran; nothing is written.
    expect(answer).toMatchObject({ status: 400, written: 0, data: null });
    expect(answer.errors!.map((e) => [e.extensions?.code, e.message])).toEqual([['BAD_USER_INPUT', expect.stringMatching(/longer than its field allows/)]]);
  });

  it('refuses a blank API key name before the database does', async () => {
    expectRefused(await http({ body: JSON.stringify({ query: 'mutation { createApiKey(input: { name: "   ", scopes: ["read"] }) { key } }' }) }), /name must not be blank/);
  });
});
