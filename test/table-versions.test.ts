import { Client } from 'pg';
import { describe, expect, test } from 'vitest';
import { RelationCatalog } from '../src/cache/read-set';
import { compactTableVersions } from '../src/db/table-versions';
import { ensureMonitoringPartitions, partitionName } from '../src/services/monitoring/partitions';
import { AssessmentPageDocument, CreateProjectDocument, RecordEventsDocument, ExamAnalyticsFullDocument, ExamsDocument, NewAssessmentDocument, QuestsDocument, RiskSummariesDocument, TeacherDashboardDocument } from './generated/graphql';
import { gqlClient, type TestApp, appPerFile } from './support/app';
import { sql, userId } from './support/assessments';
import { runCliOn, serveCli, type Served } from './support/cli';
import { TEST_JWT_SECRET } from './support/constants';
import { createEmptyDatabase } from './support/database';

interface Fixtures {
  app: TestApp;
  admin: string;
  teacher: string;
  /** A second server process, cache on, on the app's database. */
  other: { served: Served; gql: ReturnType<typeof gqlClient> };
}

const it = test.extend<Fixtures>({
  app: appPerFile,
  admin: [async ({ app }, use) => use(await app.login('admin@example.edu')), { scope: 'file' }],
  teacher: [async ({ app }, use) => use(await app.login('teacher1@example.edu')), { scope: 'file' }],
  other: [
    async ({ app }, use) => {
      const served = await serveCli({ DATABASE_URL: app.db.url, PORT: '0', HOST: '127.0.0.1', JOBS_ENABLED: 'false', NODE_ENV: 'test', JWT_SECRET: TEST_JWT_SECRET });
      const url = /Assay ready at (\S+)/.exec(served.output())![1].replace('localhost', '127.0.0.1');
      await use({ served, gql: gqlClient(url) });
      await served.stop();
    },
    { scope: 'file' },
  ],
});

const version = async (app: TestApp, table: string) =>
  Number((await sql<{ v: string }>(app, 'select coalesce(sum(version), 0)::text as v from table_versions where table_name = $1', [table]))[0].v);

const page = (app: TestApp, token: string, first = 4) => app.gql(AssessmentPageDocument, { first }, { token });
const cacheOf = (answer: { headers: Headers }) => answer.headers.get('x-assay-cache');

/** Asks twice: the second answer is a hit when nothing it read has changed. */
async function cached(app: TestApp, token: string, first = 4) {
  const answer = await page(app, token, first);
  expect(answer.errors).toBeUndefined();
  expect(cacheOf(await page(app, token, first))).toBe('hit');
  return answer.data!;
}

describe('table change counters', () => {
  it('count the writes of every table, and of every partition as its table', async ({ app }) => {
    const untracked = await sql<{ relname: string }>(
      app,
      `select c.relname from pg_class c
        where c.relnamespace = current_schema()::regnamespace and c.relkind in ('r', 'p')
          and c.relname not in ('table_versions', 'mikro_orm_migrations')
          and (select count(*) from pg_trigger t where t.tgrelid = c.oid and t.tgname like 'assay_version_%') <> 4
        order by 1`,
    );
    expect(untracked).toEqual([]);

    const month = new Date(Date.UTC(2031, 0, 1));
    await ensureMonitoringPartitions(app.assay.database.orm.em.fork(), month, month);
    const before = await version(app, 'monitoring_events');
    await sql(app, `delete from ${partitionName(month)}`);
    expect(await version(app, 'monitoring_events')).toBe(before);
    await sql(app, `truncate ${partitionName(month)}`);
    expect(await version(app, 'monitoring_events')).toBe(before + 1);
    expect(await version(app, partitionName(month))).toBe(0);
  });

  it('bump once per statement that changes rows, not for statements that change none', async ({ app }) => {
    const before = await version(app, 'evidence');
    await sql(app, `update evidence set content = content where false`);
    await sql(app, `delete from evidence where false`);
    await sql(app, `insert into evidence select * from evidence where false`);
    expect(await version(app, 'evidence')).toBe(before);
    await sql(app, `update evidence set content = content || '' where id in (select id from evidence limit 3)`);
    expect(await version(app, 'evidence')).toBe(before + 1);
  });

  it('see proctoring events that flag no one as writes of monitoring_events alone', async ({ app }) => {
    const [attempt] = await sql<{ id: string; email: string }>(
      app,
      `select a.id, u.email from exam_attempts a join users u on u.id = a.student_id where a.status = 'IN_PROGRESS' order by u.email limit 1`,
    );
    const token = await app.login(attempt.email);
    const all = async () => new Map((await sql<{ t: string; v: string }>(app, 'select table_name as t, sum(version)::text as v from table_versions group by 1')).map((r) => [r.t, r.v]));
    const before = await all();
    const events = ['a', 'b', 'c'].map((id) => ({ eventId: `versions-${id}`, eventType: 'eye_movement', clientTimestamp: new Date().toISOString() }));
    const recorded = await app.gql(RecordEventsDocument, { attemptId: attempt.id, events }, { token });
    expect(recorded.data?.recordMonitoringEvents).toMatchObject({ accepted: 3, flagged: 0 });
    const after = await all();
    expect([...after.keys()].filter((table) => after.get(table) !== before.get(table))).toEqual(['monitoring_events']);
  });

  it('keep counting under an empty search_path, as pg_restore writes', async ({ app }) => {
    const unpinned = await sql<{ proname: string }>(
      app,
      `select p.proname from pg_proc p
        where p.pronamespace = current_schema()::regnamespace
          and not exists (select from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
          and not exists (select from unnest(coalesce(p.proconfig, '{}')) c where c like 'search_path=%')`,
    );
    expect(unpinned).toEqual([]);
    const before = await version(app, 'users');
    const client = new Client({ connectionString: app.db.url });
    await client.connect();
    try {
      await client.query(`set search_path = ''`);
      await client.query(`update public.users set updated_at = updated_at where id in (select id from public.users order by id limit 1)`);
    } finally {
      await client.end();
    }
    expect(await version(app, 'users')).toBe(before + 1);
  });

  it('keep every version when the rows of ended connections are folded', async ({ app }) => {
    const client = new Client({ connectionString: app.db.url });
    await client.connect();
    await client.query(`update quests set updated_at = updated_at where id in (select id from quests limit 1)`);
    const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
    await client.end();
    const versions = () => sql<{ table_name: string; v: string }>(app, 'select table_name, sum(version)::text as v from table_versions group by 1 order by 1');
    const before = await versions();
    expect(await compactTableVersions(app.assay.database.orm.em.fork())).toBeGreaterThan(0);
    expect(await versions()).toEqual(before);
    expect(await sql(app, 'select 1 from table_versions where backend = $1', [rows[0].pid])).toEqual([]);
  });
});

describe('response cache over table versions', () => {
  it('keeps an answer while only tables it did not read are written', async ({ app, admin }) => {
    await cached(app, admin);
    await sql(app, `update quests set updated_at = updated_at where id in (select id from quests limit 1)`);
    await sql(app, `update exams set updated_at = updated_at where id in (select id from exams limit 1)`);
    await sql(app, `update skill_assessments set score = score where false`);
    expect(cacheOf(await page(app, admin))).toBe('hit');

    await sql(app, `update evidence set content = content || '' where id in (select id from evidence limit 1)`);
    expect(cacheOf(await page(app, admin))).toBe('miss');
  });

  it('ignores writes to other databases on the same PostgreSQL server', async ({ app, admin }) => {
    await cached(app, admin, 5);
    const elsewhere = await createEmptyDatabase();
    try {
      await elsewhere.sql(`create table skill_assessments (id int); insert into skill_assessments values (1)`);
      expect(cacheOf(await page(app, admin, 5))).toBe('hit');
    } finally {
      await elsewhere.drop();
    }
  });

  it('forgets an answer written by another instance, and keeps it through that instance’s unrelated writes', async ({ app, admin, other }) => {
    const before = await cached(app, admin, 6);
    const project = await other.gql(CreateProjectDocument, { input: { name: `cache-${Date.now()}` } }, { token: admin });
    expect(project.errors).toBeUndefined();
    expect(cacheOf(await page(app, admin, 6))).toBe('hit');

    const created = await other.gql(
      NewAssessmentDocument,
      {
        input: {
          studentId: await userId(app, 'student2@example.edu'),
          skillType: 'EMPATHY',
          score: 0.4,
          confidence: 0.6,
          reasoning: 'written by the other instance',
          source: 'AI_MODEL',
          modelName: 'm',
          modelVersion: '1',
          evidence: [{ kind: 'OTHER', content: 'elsewhere' }],
        },
      },
      { token: admin },
    );
    expect(created.errors).toBeUndefined();
    const after = await page(app, admin, 6);
    expect(cacheOf(after)).toBe('miss');
    expect(after.data!.assessments.totalCount).toBe(before.assessments.totalCount + 1);
  });

  it('forgets a materialized view’s answers when the CLI refreshes it', async ({ app, admin }) => {
    const ask = () => app.gql(RiskSummariesDocument, { first: 5 }, { token: admin });
    expect((await ask()).errors).toBeUndefined();
    expect(cacheOf(await ask())).toBe('hit');
    const run = await runCliOn(app.db.url, ['jobs', 'run', 'analytics-views']);
    expect(run.code).toBe(0);
    expect(cacheOf(await ask())).toBe('miss');
    expect(cacheOf(await ask())).toBe('hit');
  });

  it('reuses the answers of every cacheable read of the contract', async ({ app, admin, teacher }) => {
    const [exam] = (await app.gql(ExamsDocument, { first: 1 }, { token: teacher })).data!.exams.edges;
    const reads = [
      () => app.gql(ExamsDocument, { first: 20 }, { token: teacher }),
      () => app.gql(TeacherDashboardDocument, {}, { token: teacher }),
      () => app.gql(ExamAnalyticsFullDocument, { examId: exam.node.id }, { token: teacher }),
      () => app.gql(QuestsDocument, { first: 10 }, { token: teacher }),
      () => app.gql(RiskSummariesDocument, { first: 10 }, { token: admin }),
    ];
    for (const read of reads) {
      const first = await read();
      expect(first.errors).toBeUndefined();
      const again = await read();
      expect({ cache: cacheOf(again), data: again.data }).toEqual({ cache: 'hit', data: first.data });
    }
  });
});

describe('read sets', () => {
  const catalog = new RelationCatalog(
    new Map([
      ['skill_assessments', 'skill_assessments'],
      ['evidence', 'evidence'],
      ['users', 'users'],
      ['monitoring_events', 'monitoring_events'],
      ['monitoring_events_p202612', 'monitoring_events'],
    ]),
    'public',
  );
  const tables = (...statements: string[]) => {
    const set = catalog.readSet(statements);
    return set && [...set].sort();
  };

  test('name the tables that statements read, partitions as their table', () => {
    expect(tables('select "s0".* from "skill_assessments" as "s0" left join "users" as "u1" on "s0"."student_id" = "u1"."id" where "s0"."id" = \'from nowhere\'')).toEqual([
      'skill_assessments',
      'users',
    ]);
    expect(tables('select * from public.evidence e where extract(epoch from e.created_at) > 1 and e.kind is distinct from $1')).toEqual(['evidence']);
    expect(tables('select count(*) from monitoring_events_p202612')).toEqual(['monitoring_events']);
    expect(tables('begin', 'commit')).toEqual([]);
  });

  test('know common table expressions and set-returning functions', () => {
    expect(
      tables(`with recursive ids(id) as (select id from users), latest as materialized (select * from skill_assessments)
        select * from ids join latest on true cross join lateral unnest(array[1]) as n join generate_series(1, 2) g on true`),
    ).toEqual(['skill_assessments', 'users']);
  });

  test('refuse statements that read what no counter covers', () => {
    expect(tables('select * from users', 'select * from pg_stat_activity')).toBeNull();
    expect(tables('select * from information_schema.tables')).toBeNull();
    expect(tables('select * from other_schema.users')).toBeNull();
    expect(tables('select * from a_view_made_later')).toBeNull();
  });
});
