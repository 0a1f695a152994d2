import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app';
import { apiKeyFor, sql, userId } from './support/assessments';

const PAGE = `query Page($first: Int) {
  assessments(first: $first) { totalCount edges { node { id score student { id } evidence { id content } } } }
}`;
const EXAMS = 'query { exams(first: 50) { totalCount edges { node { id title } } } }';

let app: TestApp;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  app = await startTestApp();
  for (const who of ['admin', 'teacher1', 'teacher2', 'student1']) tokens[who] = await app.login(`${who}@example.edu`);
});
afterAll(() => app?.stop());

/** The raw exchange, so bodies can be compared byte for byte. */
async function post(query: string, variables: Record<string, unknown>, headers: Record<string, string>) {
  const response = await fetch(app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: response.status,
    cache: response.headers.get('x-assay-cache'),
    statements: Number(response.headers.get('x-sql-statements')),
    contentType: response.headers.get('content-type'),
    text: await response.text(),
  };
}
/** Over node:http, which neither asks for nor undoes compression. */
function rawPost(query: string, variables: Record<string, unknown>, headers: Record<string, string>) {
  return new Promise<{ headers: http.IncomingHttpHeaders; raw: Buffer; body: string }>((resolve, reject) => {
    const request = http.request(app.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: '*/*', ...headers } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ headers: response.headers, raw: Buffer.concat(chunks), body: Buffer.concat(chunks).toString() }));
    });
    request.on('error', reject);
    request.end(JSON.stringify({ query, variables }));
  });
}
const codeIn = (text: string): unknown => JSON.parse(text).errors?.[0]?.extensions?.code;
const bearer = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });

describe('response cache', () => {
  it('answers a repeated read from the cache with the same bytes and one SQL statement', async () => {
    const first = await post(PAGE, { first: 7 }, bearer('teacher1'));
    const second = await post(PAGE, { first: 7 }, bearer('teacher1'));
    expect(first.cache).toBe('miss');
    expect(first.statements).toBeGreaterThan(1);
    expect(second).toEqual({ ...first, cache: 'hit', statements: 1 });
    expect(JSON.parse(second.text).data.assessments.edges).toHaveLength(7);
  });

  it('answers in the content type and encoding the client asked for', async () => {
    const graphqlJson = { ...bearer('teacher1'), accept: 'application/graphql-response+json' };
    const first = await post(PAGE, { first: 6 }, graphqlJson);
    const again = await post(PAGE, { first: 6 }, graphqlJson);
    expect(again).toMatchObject({ cache: 'hit', contentType: first.contentType, text: first.text });
    expect(first.contentType).toMatch(/^application\/graphql-response\+json/);
    expect((await post(PAGE, { first: 6 }, bearer('teacher1'))).contentType).toMatch(/^application\/json/);

    const plain = await rawPost(PAGE, { first: 6 }, bearer('teacher1'));
    expect(plain.headers['x-assay-cache']).toBe('hit');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(first.text);
    const gzipped = await rawPost(PAGE, { first: 6 }, { ...bearer('teacher1'), 'accept-encoding': 'gzip' });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzipped.raw).toString()).toBe(first.text);
  });

  it('keys on the variables and the operation text', async () => {
    await post(PAGE, { first: 3 }, bearer('teacher1'));
    expect((await post(PAGE, { first: 4 }, bearer('teacher1'))).cache).toBe('miss');
    expect((await post(`${PAGE}\n`, { first: 3 }, bearer('teacher1'))).cache).toBe('miss');
  });

  it('never hands one caller another caller’s answer', async () => {
    const teacher1 = await post(EXAMS, {}, bearer('teacher1'));
    await post(EXAMS, {}, bearer('teacher1'));
    const teacher2 = await post(EXAMS, {}, bearer('teacher2'));
    expect(teacher2.cache).toBe('miss');
    const titles = (r: { text: string }) => JSON.parse(r.text).data.exams.edges.map((e: { node: { id: string } }) => e.node.id);
    expect(titles(teacher2)).not.toEqual(titles(teacher1));
    const again = await post(EXAMS, {}, bearer('teacher2'));
    expect(again.cache).toBe('hit');
    expect(again.text).toBe(teacher2.text);
  });

  it('shares answers between the sessions of one user, and computes concurrent identical misses once', async () => {
    const [first, second] = [await app.login('teacher5@example.edu'), await app.login('teacher5@example.edu')];
    expect((await post(PAGE, { first: 9 }, { authorization: `Bearer ${first}` })).cache).toBe('miss');
    expect((await post(PAGE, { first: 9 }, { authorization: `Bearer ${second}` })).cache).toBe('hit');

    const together = await Promise.all([first, second, first, second, first].map((token) => post(PAGE, { first: 11 }, { authorization: `Bearer ${token}` })));
    expect(together.map((answer) => answer.cache).sort()).toEqual(['hit', 'hit', 'hit', 'hit', 'miss']);
    expect(new Set(together.map((answer) => answer.text)).size).toBe(1);
  });

  it('misses after a write through the API, and shows it', async () => {
    const before = await post(PAGE, { first: 5 }, bearer('admin'));
    expect((await post(PAGE, { first: 5 }, bearer('admin'))).cache).toBe('hit');
    const student = await userId(app, 'student3@example.edu');
    const created = await app.gql<{ createAssessment: { id: string } }, unknown>(
      `mutation($input: CreateAssessmentInput!) { createAssessment(input: $input) { id } }`,
      {
        input: {
          studentId: student,
          skillType: 'EMPATHY',
          score: 0.5,
          confidence: 0.5,
          reasoning: 'cache test',
          source: 'AI_MODEL',
          modelName: 'm',
          modelVersion: '1',
          evidence: [{ kind: 'OTHER', content: 'seen' }],
        },
      },
      { token: tokens.admin },
    );
    expect(created.errors).toBeUndefined();
    const after = await post(PAGE, { first: 5 }, bearer('admin'));
    expect(after.cache).toBe('miss');
    expect(JSON.parse(after.text).data.assessments.totalCount).toBe(JSON.parse(before.text).data.assessments.totalCount + 1);
    expect(JSON.parse(after.text).data.assessments.edges[0].node.id).toBe(created.data!.createAssessment.id);
  });

  it('misses after a write made outside the server (another process, plain SQL)', async () => {
    const before = await post(PAGE, { first: 2 }, bearer('admin'));
    expect((await post(PAGE, { first: 2 }, bearer('admin'))).cache).toBe('hit');
    const top = JSON.parse(before.text).data.assessments.edges[0].node;
    const changed = top.score === 0.25 ? 0.75 : 0.25;
    await sql(app, 'update skill_assessments set score = $1 where id = $2', [changed, top.id]);
    const after = await post(PAGE, { first: 2 }, bearer('admin'));
    expect(after.cache).toBe('miss');
    expect(JSON.parse(after.text).data.assessments.edges[0].node.score).toBe(changed);
  });

  it('refuses a cached read once the session is revoked or the account locked', async () => {
    const token = await app.login('teacher3@example.edu');
    const headers = { authorization: `Bearer ${token}` };
    await post(EXAMS, {}, headers);
    expect((await post(EXAMS, {}, headers)).cache).toBe('hit');
    const locked = await app.gql(
      'mutation($id: ID!) { lockUser(userId: $id) { id } }',
      { id: await userId(app, 'teacher3@example.edu') },
      { token: tokens.admin },
    );
    expect(locked.errors).toBeUndefined();
    const refused = await post(EXAMS, {}, headers);
    expect(refused.cache).toBeNull();
    expect(JSON.parse(refused.text).data).toBeNull();
    expect(codeIn(refused.text)).toBe('UNAUTHENTICATED');
  });

  it('checks sessions that arrive together in one statement, each on its own merits', async () => {
    const sessions = await Promise.all(Array.from({ length: 6 }, () => app.login('teacher4@example.edu')));
    const revoked = sessions[2];
    const sessionId = JSON.parse(Buffer.from(revoked.split('.')[1], 'base64url').toString()).sid as string;
    await sql(app, 'update auth_sessions set revoked_at = now() where id = $1', [sessionId]);
    const together = () => Promise.all(sessions.map((token) => post(EXAMS, {}, { authorization: `Bearer ${token}` })));
    await together();
    const answers = await together();
    answers.forEach((answer, i) => {
      if (sessions[i] === revoked) {
        expect(answer.cache).toBeNull();
        expect(codeIn(answer.text)).toBe('UNAUTHENTICATED');
      } else {
        expect(answer).toMatchObject({ cache: 'hit', statements: 1 });
        expect(JSON.parse(answer.text).data.exams.totalCount).toBeGreaterThan(0);
      }
    });
  });

  it('serves API keys too, per key and its scopes, until the key is revoked', async () => {
    const key = await apiKeyFor(app, 'admin@example.edu', ['read']);
    const other = await apiKeyFor(app, 'admin@example.edu', ['read']);
    // Each key's first use in a minute records last_used_at; no answer depends on api_keys, so nothing is forgotten.
    for (const k of [key, other]) expect((await post(PAGE, { first: 3 }, { 'x-api-key': k })).cache).toBe('miss');
    for (const k of [key, other]) expect((await post(PAGE, { first: 3 }, { 'x-api-key': k })).cache).toBe('hit');
    const hash = `encode(sha256(convert_to($1, 'UTF8')), 'hex')`;
    await sql(app, `update api_keys set scopes = '{read,subscribe}' where key_hash = ${hash}`, [key]);
    expect((await post(PAGE, { first: 3 }, { 'x-api-key': key })).cache).toBe('miss');
    await sql(app, `update api_keys set scopes = '{subscribe}' where key_hash = ${hash}`, [key]);
    const narrowed = await post(PAGE, { first: 3 }, { 'x-api-key': key });
    expect(narrowed.cache).toBe('miss');
    expect(codeIn(narrowed.text)).toBe('FORBIDDEN');
    await sql(app, `update api_keys set revoked_at = now() where key_hash = ${hash}`, [key]);
    const refused = await post(PAGE, { first: 3 }, { 'x-api-key': key });
    expect(refused.cache).toBeNull();
    expect(codeIn(refused.text)).toBe('UNAUTHENTICATED');
    expect((await post(PAGE, { first: 3 }, { 'x-api-key': other })).cache).toBe('hit');
  });

  it('stores no errors, and does not look up mutations or queries with a field that is not marked cacheable', async () => {
    const missing = 'query { assessment(id: "00000000-0000-4000-8000-000000000000") { id } }';
    await post(missing, {}, bearer('admin'));
    expect((await post(missing, {}, bearer('admin'))).cache).toBe('miss');
    const mutation = 'mutation { refreshAnalyticsViews { views { name } } }';
    const me = 'query { me { id } }';
    const mixed = 'query { me { id } exams(first: 1) { totalCount } }';
    for (const query of [mutation, me, mixed]) {
      const first = await post(query, {}, bearer('admin'));
      expect(first.status, first.text).toBe(200);
      expect(first.cache).toBeNull();
      expect((await post(query, {}, bearer('admin'))).cache).toBeNull();
    }
    expect((await post('query { exams(first: 1) { totalCount } }', {}, bearer('admin'))).cache).toBe('miss');
  });

  it('leaves anonymous and refused callers to the normal path', async () => {
    const anonymous = await post(EXAMS, {}, {});
    expect(anonymous.cache).toBeNull();
    expect(codeIn(anonymous.text)).toBe('UNAUTHENTICATED');
    const forged = await post(EXAMS, {}, { authorization: 'Bearer not.a.token' });
    expect(forged.cache).toBeNull();
    expect(codeIn(forged.text)).toBe('UNAUTHENTICATED');
  });
});

describe('response cache entry lifetime', () => {
  let shortLived: TestApp;
  beforeAll(async () => {
    shortLived = await startTestApp({ RESPONSE_CACHE_TTL_SECONDS: '1' });
  });
  afterAll(() => shortLived?.stop());

  it('executes again once RESPONSE_CACHE_TTL_SECONDS have passed, even with no write', async () => {
    const token = await shortLived.login('teacher1@example.edu');
    await shortLived.gql(EXAMS, {}, { token });
    expect((await shortLived.gql(EXAMS, {}, { token })).headers.get('x-assay-cache')).toBe('hit');
    await new Promise((r) => setTimeout(r, 1100));
    expect((await shortLived.gql(EXAMS, {}, { token })).headers.get('x-assay-cache')).toBe('miss');
  });
});

describe('response cache turned off', () => {
  let plain: TestApp;
  beforeAll(async () => {
    plain = await startTestApp({ RESPONSE_CACHE_MB: '0' });
  });
  afterAll(() => plain?.stop());

  it('executes every request', async () => {
    const token = await plain.login('teacher1@example.edu');
    await plain.gql(EXAMS, {}, { token });
    const again = await plain.gql(EXAMS, {}, { token });
    expect(again.headers.get('x-assay-cache')).toBeNull();
    expect(again.statements).toBeGreaterThan(1);
  });

  it('still records when an API key was last used', async () => {
    const key = await apiKeyFor(plain, 'admin@example.edu', ['read']);
    expect((await plain.gql(EXAMS, {}, { apiKey: key })).errors).toBeUndefined();
    const [row] = await sql<{ used: boolean }>(
      plain,
      `select last_used_at is not null as used from api_keys where key_hash = encode(sha256(convert_to($1, 'UTF8')), 'hex')`,
      [key],
    );
    expect(row.used).toBe(true);
  });
});
