import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, getNamedType, isEnumType, isListType, isNonNullType, isObjectType, isScalarType, parse, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app';
import { raiseFlag } from './support/flags';
import { subscribe, type Subscriber } from './support/subscriptions';
import { buildLeakFixture, type LeakFixture } from './leak/fixture';
import { Oracle, type LeakViewer } from './leak/oracle';
import { aggregateFindings, GROUPINGS } from './leak/aggregates';
import { queryInputs, validInputs } from './leak/inputs';
import { carriesId, enumLiteral, fieldAtPath, leftOutWith, sampleInput, selectionOf, UnsuppliedArgument, type ArgSupplier } from './leak/walker';

/*
 * The leak test. Driven by schema.graphql: every Query field, with a selection of every
 * field reachable below it, is run as every kind of caller; every id that comes back (an
 * `id` or any other ID-typed field) is checked against what the oracle says that caller
 * may see. New types and queries are covered without editing this file; a Query field
 * the test cannot call, or that never answers for anyone, fails it. Mutations are walked
 * the same way, with the valid inputs of test/leak/inputs.ts; one whose type can hold an id
 * but that returned none to anyone fails it.
 */

const schema: GraphQLSchema = buildSchema(readFileSync(path.resolve(__dirname, '../schema.graphql'), 'utf8'));

/** Argument names that name users whatever their prefix. */
const USER_ARGS = /^(user|student|teacher|actor|creator|owner|applicant|participant|assignee)Id$/i;
/** JSON keys that carry raw proctoring data or answer keys: never in a student's response. */
const STUDENT_FORBIDDEN_JSON_KEYS = ['proctoring', 'clientIp', 'rubric'];
const CANDIDATES_PER_ENTITY = 4;
/** Rows of the flag log, named by their seq: visible with the exam they are in. */
const FLAG_TYPES = new Set(['FlagAlert', 'StudentFlaggedEvent']);

let app: TestApp;
let fixture: LeakFixture;
let oracle: Oracle;
let candidates: Map<string, string[]>;

interface Finding {
  viewer: string;
  query: string;
  detail: string;
}

beforeAll(async () => {
  // The generated documents select everything reachable: far past the limits a client
  // gets, which are not what this test is about.
  app = await startTestApp({ GRAPHQL_MAX_COST: '10000000', GRAPHQL_MAX_TOKENS: '100000', GRAPHQL_MAX_DEPTH: '40', LIVE_POLL_MS: '100' });
  fixture = await buildLeakFixture(app);
  oracle = new Oracle(app.assay.database.orm, app.db.sql);
  candidates = new Map();
  for (const entity of oracle.entities()) {
    const others = await app.db.sql(`select id::text from ${oracle.tableOf(entity)} order by id limit ${CANDIDATES_PER_ENTITY}`);
    candidates.set(entity, [...new Set([...(fixture.created[entity] ?? []), ...others.map((r) => r.id as string)])]);
  }
}, 120_000);
afterAll(() => app?.stop());

/** Which entity an ID argument names: by its name (examId → Exam), or for `id` the field's own type. */
function entityOfArg(fieldType: string, argName: string): string | null {
  const entities = oracle.entities();
  if (argName === 'id') return entities.includes(fieldType) ? fieldType : null;
  if (USER_ARGS.test(argName)) return 'User';
  const stem = argName.replace(/Ids?$/, '').toLowerCase();
  return entities.find((e) => e.toLowerCase() === stem) ?? entities.find((e) => e.toLowerCase().endsWith(stem)) ?? null;
}

/** Where a root field's arguments come from. */
interface ArgumentSource {
  /** The value chosen for `field(argument)` or `InputType.field`, if any; for an ID argument, the rows to try. */
  chosen: (key: string) => unknown;
  /** The rows of `entity` an ID argument is tried with when none are chosen; an ID inside an input gets the first. */
  rows: (entity: string) => string[];
}

/** Queries: every candidate of each ID argument, the query inputs of test/leak/inputs.ts, made-up values for the rest. */
const queryArguments: ArgumentSource = { chosen: (key) => queryInputs()[key], rows: (entity) => candidates.get(entity)! };

/** Mutations: the valid inputs of test/leak/inputs.ts, else the rows the fixture created, the same ones each run. */
function mutationArguments(): ArgumentSource {
  const inputs = validInputs(fixture);
  return {
    chosen: (key) => (typeof inputs[key] === 'function' ? (inputs[key] as () => unknown)() : inputs[key]),
    rows: (entity) => fixture.created[entity] ?? [],
  };
}

/** Variants of a root field's arguments: each id for each ID argument, required or not. */
function argumentVariants(fieldName: string, root: GraphQLObjectType = schema.getQueryType()!, source: ArgumentSource = queryArguments): { label: string; args: Record<string, unknown> }[] {
  const field = root.getFields()[fieldName];
  const fieldType = getNamedType(field.type).name;
  const base: Record<string, unknown> = {};
  const idArgs: { name: string; ids: string[]; required: boolean }[] = [];
  // An ID inside an input object (`studentId`, `examId`) names rows of the entity its name says.
  const idFor = (name: string) => {
    const entity = entityOfArg('', name);
    return entity ? source.rows(entity)[0] : undefined;
  };
  for (const arg of field.args) {
    const required = isNonNullType(arg.type) && arg.defaultValue === undefined;
    if (getNamedType(arg.type).name === 'ID' && !isListType(isNonNullType(arg.type) ? arg.type.ofType : arg.type)) {
      // deleteProject(id) answers a Boolean: the row its id names is in the field's name.
      const entity = entityOfArg(fieldType, arg.name) ?? (arg.name === 'id' ? (oracle.entities().find((e) => fieldName.toLowerCase().endsWith(e.toLowerCase())) ?? null) : null);
      if (!entity) throw new UnsuppliedArgument(`${root.name}.${fieldName}(${arg.name}): cannot tell which rows this ID names; extend entityOfArg`);
      const ids = (source.chosen(`${fieldName}(${arg.name})`) as string[] | undefined) ?? source.rows(entity);
      if (ids.length === 0) throw new UnsuppliedArgument(`${root.name}.${fieldName}(${arg.name}): no ${entity} rows to try; create some in the fixture`);
      idArgs.push({ name: arg.name, ids, required });
    } else if (arg.name === 'first' && getNamedType(arg.type).name === 'Int') {
      base.first = 100;
    } else {
      const value = source.chosen(`${fieldName}(${arg.name})`) ?? (required ? sampleInput(arg.type, idFor, arg.name, (type, f) => source.chosen(`${type}.${f}`)) : undefined);
      if (required && value === undefined) throw new UnsuppliedArgument(`${root.name}.${fieldName}(${arg.name}): no sample value for ${String(arg.type)}`);
      if (value !== undefined) base[arg.name] = value;
    }
  }
  const variants = [{ label: '', args: { ...base } }];
  for (const idArg of idArgs) {
    const next = idArg.ids.flatMap((id) => variants.map((v) => ({ label: `${v.label} ${idArg.name}=${id.slice(0, 8)}`, args: { ...v.args, [idArg.name]: id } })));
    variants.splice(0, variants.length, ...(idArg.required ? next : [...variants, ...next]));
  }
  return variants;
}

/** Nested required arguments: ids from the candidates, other values made up. */
const nestedArgs: ArgSupplier = (_owner, field, arg) => {
  const named = getNamedType(arg.type).name;
  if (named === 'ID') {
    const entity = entityOfArg(getNamedType(field.type).name, arg.name);
    return entity ? { value: candidates.get(entity)![0] } : { missing: 'cannot tell which rows this ID names' };
  }
  const value = sampleInput(arg.type, () => undefined, arg.name);
  return value === undefined ? { missing: `no sample value for ${String(arg.type)}` } : { value };
};

function documentFor(fieldName: string, args: Record<string, unknown>, exclude: ReadonlySet<string> = new Set(), root: GraphQLObjectType = schema.getQueryType()!): string {
  const field = root.getFields()[fieldName];
  const named = getNamedType(field.type);
  const argText = Object.keys(args).length
    ? `(${Object.entries(args).map(([k, v]) => `${k}: ${enumLiteral(field.args.find((a) => a.name === k)!.type, v)}`).join(', ')})`
    : '';
  const selection = isScalarType(named) || isEnumType(named) ? '' : selectionOf(schema, named, nestedArgs, [root.name], exclude);
  return `${root === schema.getMutationType() ? 'mutation' : 'query'} Leak { ${fieldName}${argText} ${selection} }`;
}

/** Every ID value in a response, with the type and field it came from; and what a student must not get. */
function inspect(data: unknown, typeName: string | null, out: { ids: { type: string; field: string; value: string }[]; sensitive: string[] }) {
  if (Array.isArray(data)) return data.forEach((item) => inspect(item, typeName, out));
  if (data === null || typeof data !== 'object') return;
  const record = data as Record<string, unknown>;
  const type = typeof record.__typename === 'string' ? schema.getType(record.__typename) : typeName ? schema.getType(typeName) : null;
  if (!type || !isObjectType(type)) return;
  for (const [key, value] of Object.entries(record)) {
    const field = type.getFields()[key];
    if (!field || value === null || value === undefined) continue;
    const named = getNamedType(field.type);
    if (named.name === 'ID' || (key === 'seq' && FLAG_TYPES.has(type.name))) {
      for (const v of Array.isArray(value) ? value : [value]) out.ids.push({ type: type.name, field: key, value: String(v) });
    } else if (/reasoning/i.test(key)) {
      out.sensitive.push(`${type.name}.${key} is not null`);
    } else if (isScalarType(named) && typeof value === 'object') {
      const text = JSON.stringify(value);
      for (const k of STUDENT_FORBIDDEN_JSON_KEYS) if (text.includes(`"${k}"`)) out.sensitive.push(`${type.name}.${key} carries "${k}"`);
    } else if (!isScalarType(named)) {
      inspect(value, named.name, out);
    }
  }
}

async function judge(viewer: LeakViewer, query: string, data: unknown, rootType: string): Promise<Finding[]> {
  const out = { ids: [] as { type: string; field: string; value: string }[], sensitive: [] as string[] };
  inspect(data, rootType, out);
  const findings: Finding[] = [];
  for (const { type, field, value } of out.ids) {
    if (field === 'seq') {
      const [flag] = await app.db.sql(`select exam_id from student_flag_events where seq = ${Number(value)}`);
      if (!flag || !(await oracle.allows(viewer, 'Exam', String(flag.exam_id)))) {
        findings.push({ viewer: viewer.label, query, detail: `${type}.seq = ${value}: a flag of an exam outside the caller's rights` });
      }
      continue;
    }
    const entity = field === 'id' && oracle.entities().includes(type) ? type : await oracle.ownerOf(value);
    if (!entity) {
      findings.push({ viewer: viewer.label, query, detail: `${type}.${field} = ${value} names no row the oracle knows` });
    } else if (!(await oracle.allows(viewer, entity, value))) {
      findings.push({ viewer: viewer.label, query, detail: `${type}.${field} = ${value}: ${entity} row outside the caller's rights` });
    }
  }
  if (viewer.role === 'STUDENT') for (const s of out.sensitive) findings.push({ viewer: viewer.label, query, detail: s });
  return findings;
}

async function inBatches<T>(items: T[], size: number, run: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run));
}

/**
 * Runs one root field as one caller and judges what came back. A refused nested field nulls
 * its parents: it is left out and the field asked again, so what the caller does get back
 * is still checked. Every answer is judged: a mutation asked again does not do again what
 * it did the first time, and the first answer may hold rows the next ones do not. `exclude`
 * holds the fields left out from the first ask, and gains those refused now.
 */
async function walk(
  root: GraphQLObjectType,
  name: string,
  variant: { label: string; args: Record<string, unknown> },
  viewer: LeakFixture['viewers'][number],
  exclude: Set<string> = new Set(),
) {
  const label = `${name}${variant.label}`;
  const returnType = getNamedType(root.getFields()[name].type).name;
  const walked = { internal: [] as string[], findings: [] as Finding[], answered: false, types: [] as string[] };
  for (let asked = 0; asked < 9; asked++) {
    const result = await app.gql(documentFor(name, variant.args, exclude, root), {}, viewer.auth);
    if (root === schema.getMutationType()) oracle.forget();
    const errors = result.errors ?? [];
    walked.internal.push(
      ...errors
        .filter((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR' || (e.extensions?.code === 'BAD_USER_INPUT' && e.extensions?.reason))
        .map((e) => `${viewer.label} ${label}: ${String(e.extensions?.code)} ${e.message} at ${e.path?.join('.')}`),
    );
    const rootData = (result.data as Record<string, unknown> | null)?.[name];
    const out = { ids: [] as { type: string; field: string; value: string }[], sensitive: [] as string[] };
    inspect(rootData, returnType, out);
    walked.types.push(...out.ids.map((i) => i.type));
    walked.findings.push(...(await judge(viewer, label, rootData, returnType)));
    walked.answered ||= rootData !== undefined && !errors.some((e) => e.path?.length === 1);
    const denied = errors
      .filter((e) => e.extensions?.code === 'FORBIDDEN' && (e.path?.length ?? 0) > 1)
      .map((e) => fieldAtPath(root, e.path!))
      .filter((f): f is string => f !== null && !exclude.has(f))
      .flatMap((f) => leftOutWith(schema, f));
    if (denied.length === 0) break;
    denied.forEach((f) => exclude.add(f));
  }
  return { ...walked, returnedRows: walked.types.length > 0 };
}

describe('no row outside the caller’s rights comes back, on any query', () => {
  it('every Query field and nested path, as every kind of caller', async () => {
    const rootFields = Object.keys(schema.getQueryType()!.getFields());
    const plans = rootFields.map((name) => ({ name, variants: argumentVariants(name) }));
    const findings: Finding[] = [];
    const internal: string[] = [];
    const answered = new Set<string>();
    const seenTypes = new Set<string>();
    const jobs = fixture.viewers.flatMap((viewer) => plans.flatMap((plan) => plan.variants.map((variant) => ({ viewer, plan, variant }))));

    await inBatches(jobs, 4, async ({ viewer, plan, variant }) => {
      const walked = await walk(schema.getQueryType()!, plan.name, variant, viewer);
      internal.push(...walked.internal);
      findings.push(...walked.findings);
      if (walked.answered) answered.add(plan.name);
      walked.types.forEach((t) => seenTypes.add(t));
    });

    expect(internal, 'queries that failed inside the server or were malformed').toEqual([]);
    expect(findings.length, `rows outside the caller’s rights, first ones: ${JSON.stringify(findings.slice(0, 10), null, 1)}`).toBe(0);
    expect(rootFields.filter((f) => !answered.has(f)), 'Query fields that answered for no caller: give the fixture data they can reach').toEqual([]);
    const reachable = oracle.entities().filter((e) => schema.getType(e));
    const populated = [];
    for (const entity of reachable) if ((await oracle.rowCount(entity)) > 0) populated.push(entity);
    expect(populated.filter((e) => !seenTypes.has(e)), 'types with rows that no query ever returned').toEqual([]);
  }, 300_000);

  it('grouped statistics equal the groups recomputed from the rows the oracle lets each caller see', async () => {
    const findings: string[] = [];
    let compared = 0;
    for (const viewer of fixture.viewers) {
      for (const grouping of GROUPINGS.filter((g) => g.forStudents || viewer.role !== 'STUDENT')) {
        const differences = await aggregateFindings(app, oracle, viewer, grouping);
        findings.push(...differences.slice(0, 3).map((d) => `${viewer.label} ${grouping.label}: ${d}`));
        compared++;
      }
    }
    expect(findings, 'groups that differ from the visible rows').toEqual([]);
    expect(compared).toBeGreaterThan(fixture.viewers.length * 3);
  }, 120_000);

  it('every subscription, as every kind of caller, delivers only rows within the caller\'s rights', async () => {
    const fields = Object.values(schema.getSubscriptionType()!.getFields());
    const streams: { viewer: (typeof fixture.viewers)[number]; label: string; field: string; type: string; subscriber: Subscriber<Record<string, unknown>> }[] = [];
    for (const viewer of fixture.viewers) {
      const params = viewer.auth.token ? { authorization: `Bearer ${viewer.auth.token}` } : viewer.auth.apiKey ? { apiKey: viewer.auth.apiKey } : {};
      for (const field of fields) {
        const type = getNamedType(field.type);
        const selection = selectionOf(schema, type, nestedArgs, ['Subscription']);
        const attemptArg = field.args.find((a) => a.name === 'attemptId');
        for (const attemptId of attemptArg ? fixture.created.ExamAttempt : [null]) {
          const args = attemptId ? `(attemptId: "${attemptId}")` : '';
          const document = parse(`subscription Leak { ${field.name}${args} ${selection} }`);
          streams.push({ viewer, label: `${field.name}${args}`, field: field.name, type: type.name, subscriber: subscribe(app.url, document, {}, params) });
        }
      }
    }
    await new Promise((r) => setTimeout(r, 500));
    const raised = await Promise.all(fixture.created.ExamAttempt.map((attemptId) => raiseFlag(app, attemptId)));
    const everything = streams.find((s) => s.viewer.role === 'ADMIN' && s.field === 'studentFlagged')!;
    await everything.subscriber.received(raised.length);
    await new Promise((r) => setTimeout(r, 500));
    const findings: Finding[] = [];
    const delivered = new Set<string>();
    for (const { viewer, label, field, type, subscriber } of streams) {
      for (const event of subscriber.events) {
        delivered.add(field);
        findings.push(...(await judge(viewer, label, event[field], type)));
      }
      expect(subscriber.errors.filter((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR'), `${viewer.label} ${label}`).toEqual([]);
      await subscriber.stop();
    }
    expect(findings.length, `rows outside the caller’s rights, first ones: ${JSON.stringify(findings.slice(0, 10), null, 1)}`).toBe(0);
    expect(fields.map((f) => f.name).filter((f) => !delivered.has(f)), 'subscriptions that delivered to no caller').toEqual([]);
  }, 120_000);

  it('every Mutation field, as every kind of caller, returns only rows within the caller’s rights', async () => {
    const mutation = schema.getMutationType()!;
    // Their payload's user is the caller-to-be, whom no fixed viewer is: the auth suites cover them.
    const signIns = new Set(['register', 'login', 'refreshToken']);
    // These end a fixture caller's session, key or grant, or remove fixture rows: they run after the rest.
    const last = ['revokeExamPermission', 'deleteProject', 'deleteWebhook', 'revokeApiKey', 'lockUser', 'logout'];
    const names = Object.keys(mutation.getFields()).filter((n) => !signIns.has(n));
    names.sort((a, b) => last.indexOf(a) - last.indexOf(b));
    const findings: Finding[] = [];
    const internal: string[] = [];
    const returned = new Set<string>();
    const source = mutationArguments();
    // A refused field nulls the whole answer up to a non-null root, and asking again may be
    // refused (already applied) where the first ask went through: so the fields a caller was
    // refused in one answer of a type are left out of their next answers of that type.
    const refused = new Map<string, Set<string>>();
    const refusedTo = (viewer: string, name: string) => {
      const key = `${viewer} ${getNamedType(mutation.getFields()[name].type).name}`;
      if (!refused.has(key)) refused.set(key, new Set());
      return refused.get(key)!;
    };
    // One call at a time, in this order: what a mutation does depends on what ran before it.
    for (const name of names) {
      for (const viewer of fixture.viewers) {
        for (const variant of argumentVariants(name, mutation, source)) {
          const walked = await walk(mutation, name, variant, viewer, refusedTo(viewer.label, name));
          internal.push(...walked.internal);
          findings.push(...walked.findings);
          if (walked.returnedRows) returned.add(name);
        }
      }
    }
    expect(internal, 'mutations that failed inside the server or were malformed').toEqual([]);
    expect(findings.length, `rows outside the caller’s rights, first ones: ${JSON.stringify(findings.slice(0, 10), null, 1)}`).toBe(0);
    const rowReturning = names.filter((n) => carriesId(schema, mutation.getFields()[n].type));
    expect(rowReturning.filter((n) => !returned.has(n)), 'mutations that return rows but returned none to any caller: give them valid inputs in test/leak/inputs.ts').toEqual([]);
    process.stdout.write(`[leak] mutations that returned rows to some caller: ${returned.size} of ${rowReturning.length} that return rows (${names.length} walked)\n`);
  }, 600_000);

  it('the checker itself flags a row outside the rights, a computed id and a student seeing proctoring data', async () => {
    const student = fixture.viewers.find((v) => v.label === 'student A1')!;
    const otherStudent = fixture.created.User[5];
    const leaked = { edges: [{ node: { __typename: 'User', id: otherStudent } }] };
    expect(await judge(student, 'synthetic', leaked, 'UserConnection')).toHaveLength(1);
    const ownAttempt = fixture.created.ExamAttempt[0];
    const proctoring = { __typename: 'ExamAttempt', id: ownAttempt, metadata: { proctoring: { tabSwitches: 3 } } };
    expect((await judge(student, 'synthetic', proctoring, 'ExamAttempt')).map((f) => f.detail)).toEqual(['ExamAttempt.metadata carries "proctoring"']);
    const invented = { __typename: 'ExamAnalytics', examId: '00000000-0000-4000-8000-000000000000' };
    expect(await judge(fixture.viewers[1], 'synthetic', invented, 'ExamAnalytics')).toHaveLength(1);
  });
});
