import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AssessmentByIdDocument,
  AssessmentIdsDocument,
  AssessmentPageDocument,
  AssessmentRowsOnlyDocument,
  type AssessmentIdsQuery,
  AssessmentsWithReasoningDocument,
  AssessmentWithReasoningDocument,
  LatestDocument,
  SkillDistributionDocument,
  StudentSkillSummaryDocument,
} from './generated/graphql';
import type { SkillType } from './generated/graphql';
import type { Context } from '../src/context';
import { SkillAssessment, User } from '../src/entities';
import { createLoaders } from '../src/loaders';
import { canSeeAssessment, canSeeEvidence } from '../src/permissions/assessment.rules';
import { codeOf, startTestApp, type TestApp } from './support/app';
import { apiKeyFor, sql, userId } from './support/assessments';

let app: TestApp;
const tokens: Record<string, string> = {};
let student1: string;
let student2: string;
let cohort1: Set<string>;

beforeAll(async () => {
  app = await startTestApp();
  for (const who of ['admin', 'auditor', 'teacher1', 'student1', 'student2']) tokens[who] = await app.login(`${who}@example.edu`);
  student1 = await userId(app, 'student1@example.edu');
  student2 = await userId(app, 'student2@example.edu');
  const rows = await sql<{ user_id: string }>(app, `select user_id from student_profiles where cohort = 'cohort-1'`);
  cohort1 = new Set(rows.map((r) => r.user_id));
});
afterAll(() => app?.stop());

const countWhere = async (where: string, params: unknown[] = []) =>
  Number((await sql<{ n: string }>(app, `select count(*) as n from skill_assessments a where ${where}`, params))[0].n);

/** Every id the viewer can list, walking the connection page by page. */
async function walk(token: string, filter: Record<string, unknown> = {}, first = 100) {
  const ids: string[] = [];
  const students = new Set<string>();
  let after: string | null | undefined = null;
  do {
    const page: Awaited<ReturnType<typeof app.gql<AssessmentIdsQuery, unknown>>> = await app.gql(
      AssessmentIdsDocument,
      { filter, first, after },
      { token },
    );
    expect(page.errors).toBeUndefined();
    for (const { node } of page.data!.assessments.edges) {
      ids.push(node.id);
      students.add(node.student.id);
    }
    after = page.data!.assessments.pageInfo.hasNextPage ? page.data!.assessments.pageInfo.endCursor : null;
  } while (after);
  return { ids, students };
}

describe('assessments connection', () => {
  it('gives admins every assessment, newest first, with evidence and student', async () => {
    const result = await app.gql(AssessmentPageDocument, { first: 20 }, { token: tokens.admin });
    expect(result.errors).toBeUndefined();
    const { totalCount, edges } = result.data!.assessments;
    expect(totalCount).toBe(await countWhere('true'));
    const expected = await sql<{ id: string }>(app, 'select id from skill_assessments order by created_at desc, id desc limit 20');
    expect(edges.map((e) => e.node.id)).toEqual(expected.map((r) => r.id));
    const first = edges[0].node;
    const evidence = await sql(
      app,
      `select id, kind, content, source_ref as "sourceRef", relevance::float8 as relevance,
              to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "createdAt"
         from evidence where assessment_id = $1 order by created_at, id`,
      [first.id],
    );
    expect(first.evidence).toEqual(evidence);
    expect(first.student.email).toMatch(/^student\d+@example\.edu$/);
  });

  it('walks every page with stable cursors: no row twice, none missed', async () => {
    const { ids } = await walk(tokens.admin, { skillTypes: ['EMPATHY'] }, 97);
    const expected = await sql<{ id: string }>(
      app,
      `select id from skill_assessments where skill_type = 'EMPATHY' order by created_at desc, id desc`,
    );
    expect(ids).toEqual(expected.map((r) => r.id));
  });

  it('keeps a cursor valid while newer rows arrive', async () => {
    const filter = { studentId: student1 };
    const firstPage = await app.gql(AssessmentIdsDocument, { filter, first: 5 }, { token: tokens.admin });
    const cursor = firstPage.data!.assessments.pageInfo.endCursor;
    const before = await app.gql(AssessmentIdsDocument, { filter, first: 5, after: cursor }, { token: tokens.admin });
    const [template] = await sql<{ id: string }>(app, 'select id from skill_assessments where student_id = $1 limit 1', [student1]);
    await sql(
      app,
      `insert into skill_assessments (id, student_id, skill_type, score, confidence, reasoning, source, model_name, model_version)
       select gen_random_uuid(), student_id, skill_type, score, confidence, reasoning, source, model_name, model_version
         from skill_assessments where id = $1`,
      [template.id],
    );
    const after = await app.gql(AssessmentIdsDocument, { filter, first: 5, after: cursor }, { token: tokens.admin });
    expect(after.data!.assessments.edges.map((e) => e.node.id)).toEqual(before.data!.assessments.edges.map((e) => e.node.id));
  });

  it('filters by student, skills and time window', async () => {
    const filter = { studentId: student2, skillTypes: ['RESILIENCE', 'EMPATHY'] as SkillType[], from: '2025-11-01T00:00:00Z', to: '2026-03-01T00:00:00Z' };
    const { ids } = await walk(tokens.admin, filter);
    const expected = await countWhere(
      `student_id = $1 and skill_type in ('RESILIENCE', 'EMPATHY') and created_at >= '2025-11-01' and created_at < '2026-03-01'`,
      [student2],
    );
    expect(expected).toBeGreaterThan(0);
    expect(ids).toHaveLength(expected);
    const result = await app.gql(AssessmentIdsDocument, { filter, first: 1 }, { token: tokens.admin });
    expect(result.data!.assessments.totalCount).toBe(expected);
  });

  it('refuses a bad cursor, a page size over 100, an inverted window, bad ids and unknown skills', async () => {
    expect(codeOf(await app.gql(AssessmentIdsDocument, { first: 10, after: 'nonsense' }, { token: tokens.admin }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await app.gql(AssessmentIdsDocument, { first: 101 }, { token: tokens.admin }))).toBe('BAD_USER_INPUT');
    const inverted = await app.gql(AssessmentIdsDocument, { filter: { from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' } }, { token: tokens.admin });
    expect(codeOf(inverted)).toBe('BAD_USER_INPUT');
    for (const id of ['x', "1' or '1'='1"]) {
      const bad = await app.gql(AssessmentByIdDocument, { id }, { token: tokens.admin });
      expect(codeOf(bad)).toBe('BAD_USER_INPUT');
      expect(bad.errors![0].message).toBe('id must be a UUID');
      expect(codeOf(await app.gql(LatestDocument, { studentId: id, skillType: 'EMPATHY' }, { token: tokens.admin }))).toBe('BAD_USER_INPUT');
      expect(codeOf(await app.gql(StudentSkillSummaryDocument, { studentId: id }, { token: tokens.admin }))).toBe('BAD_USER_INPUT');
    }
    const badSkill = await app.gql(AssessmentIdsDocument, { filter: { skillTypes: ['CHARISMA'] } } as never, { token: tokens.admin });
    expect(codeOf(badSkill)).toBe('BAD_USER_INPUT');
    expect(badSkill.errors![0].message).toMatch(/CHARISMA.*SkillType/);
  });
});

describe('batching', () => {
  it('lists 10 or 100 assessments with evidence and student in the same number of SQL statements', async () => {
    // The demo school year: rows other tests add (some without evidence) stay out.
    const filter = { to: '2026-07-01T00:00:00Z' };
    for (const who of ['admin', 'teacher1']) {
      const ten = await app.gql(AssessmentPageDocument, { filter, first: 10 }, { token: tokens[who] });
      const hundred = await app.gql(AssessmentPageDocument, { filter, first: 100 }, { token: tokens[who] });
      expect(ten.errors).toBeUndefined();
      expect(hundred.errors).toBeUndefined();
      expect(hundred.data!.assessments.edges).toHaveLength(100);
      expect(hundred.data!.assessments.edges.every((e) => e.node.evidence.length > 0)).toBe(true);
      expect(hundred.statements, `${who}: statements for 100 rows`).toBe(ten.statements);
      // auth (2) + page + count + evidence + students (+ the teacher's cohort lookups)
      expect(hundred.statements, who).toBeLessThanOrEqual(8);
    }
  });

  it("reads a page's evidence and students in the page's own statement, and checks no row of it again", async () => {
    const filter = { to: '2026-07-01T00:00:00Z' };
    const statements = async (who: string) => {
      await app.gql(AssessmentRowsOnlyDocument, { filter, first: 1 }, { token: tokens[who] });
      const bare = await app.gql(AssessmentRowsOnlyDocument, { filter, first: 50 }, { token: tokens[who] });
      const full = await app.gql(AssessmentPageDocument, { filter, first: 50 }, { token: tokens[who] });
      expect(full.errors).toBeUndefined();
      expect(full.data!.assessments.edges.every((e) => e.node.evidence.length > 0 && e.node.student.id)).toBe(true);
      return { bare: bare.statements, full: full.statements };
    };
    const admin = await statements('admin');
    const teacher = await statements('teacher1');
    // A teacher's rows came from the scoped page: no statement checks them again.
    expect(teacher.bare).toBe(admin.bare);
    expect(admin.full).toBe(admin.bare);
    // Nor the students it read: a visible assessment's student is visible.
    expect(teacher.full).toBe(teacher.bare);
  });

});

describe('row-level access', () => {
  it('shows a student only their own assessments, through every query', async () => {
    const { ids, students } = await walk(tokens.student1);
    expect([...students]).toEqual([student1]);
    expect(ids).toHaveLength(await countWhere('student_id = $1', [student1]));

    const theirs = await app.gql(AssessmentIdsDocument, { filter: { studentId: student2 } }, { token: tokens.student1 });
    expect(theirs.data!.assessments.totalCount).toBe(0);

    const [other] = await sql<{ id: string }>(app, 'select id from skill_assessments where student_id = $1 limit 1', [student2]);
    expect(codeOf(await app.gql(AssessmentByIdDocument, { id: other.id }, { token: tokens.student1 }))).toBe('NOT_FOUND');

    const latest = await app.gql(LatestDocument, { studentId: student2, skillType: 'EMPATHY' }, { token: tokens.student1 });
    expect(latest.errors).toBeUndefined();
    expect(latest.data!.latestAssessment).toBeNull();

    expect(codeOf(await app.gql(StudentSkillSummaryDocument, { studentId: student2 }, { token: tokens.student1 }))).toBe('NOT_FOUND');

    const distribution = await app.gql(SkillDistributionDocument, {}, { token: tokens.student1 });
    const total = distribution.data!.skillDistribution.reduce((sum, s) => sum + s.count, 0);
    expect(total).toBe(await countWhere('student_id = $1', [student1]));
  });

  it('never shows a student the reasoning, even of their own assessments', async () => {
    const [own] = await sql<{ id: string }>(app, 'select id from skill_assessments where student_id = $1 limit 1', [student1]);
    const one = await app.gql(AssessmentWithReasoningDocument, { id: own.id }, { token: tokens.student1 });
    expect(one.data!.assessment).toMatchObject({ id: own.id, reasoning: null });
    expect(one.errors).toHaveLength(1);
    expect(one.errors![0]).toMatchObject({ path: ['assessment', 'reasoning'], extensions: { code: 'FORBIDDEN' } });

    const list = await app.gql(AssessmentsWithReasoningDocument, { first: 5 }, { token: tokens.student1 });
    expect(list.data!.assessments.edges.every((e) => e.node.reasoning === null)).toBe(true);
    expect(JSON.stringify(list)).not.toContain('The student shows');

    const staff = await app.gql(AssessmentWithReasoningDocument, { id: own.id }, { token: tokens.teacher1 });
    expect(staff.errors).toBeUndefined();
    expect(staff.data!.assessment.reasoning).toMatch(/^The student shows/);
  });

  it('shows teacher1 the students of cohort-1 and nobody else', async () => {
    const { ids, students } = await walk(tokens.teacher1);
    expect([...students].every((s) => cohort1.has(s))).toBe(true);
    expect(ids).toHaveLength(await countWhere(`student_id in (select user_id from student_profiles where cohort = 'cohort-1')`));

    const [other] = await sql<{ id: string }>(app, 'select id from skill_assessments where student_id = $1 limit 1', [student2]);
    expect(codeOf(await app.gql(AssessmentByIdDocument, { id: other.id }, { token: tokens.teacher1 }))).toBe('NOT_FOUND');
    const filtered = await app.gql(AssessmentIdsDocument, { filter: { studentId: student2 } }, { token: tokens.teacher1 });
    expect(filtered.data!.assessments.totalCount).toBe(0);
    expect(codeOf(await app.gql(StudentSkillSummaryDocument, { studentId: student2 }, { token: tokens.teacher1 }))).toBe('NOT_FOUND');
    const own = await app.gql(StudentSkillSummaryDocument, { studentId: student1 }, { token: tokens.teacher1 });
    expect(own.errors).toBeUndefined();
  });

  it('has per-row rules that refuse a row even if a query let it through', async () => {
    const em = app.assay.database.orm.em.fork();
    const [theirs] = await sql<{ id: string }>(app, 'select id from skill_assessments where student_id = $1 limit 1', [student2]);
    const assessment = await em.findOneOrFail(SkillAssessment, { id: theirs.id });
    const [evidence] = await createLoaders(em).evidenceByAssessmentId.load(assessment.id);
    const verdict = async (email: string, cohortsTaught: string[], row: object, rule: typeof canSeeAssessment) => {
      const user = await em.findOneOrFail(User, { email });
      const ctx = { em, viewer: { user, via: 'session', scopes: null, cohortsTaught }, loaders: createLoaders(em), visibleRows: new WeakSet() } as Partial<Context>;
      return rule.resolve(row, {}, { ...ctx, _shield: { cache: {} } }, {} as never, { debug: true } as never);
    };
    expect(await verdict('student1@example.edu', [], assessment, canSeeAssessment)).toBe(false);
    expect(await verdict('student1@example.edu', [], evidence, canSeeEvidence)).toBe(false);
    expect(await verdict('teacher1@example.edu', ['cohort-1'], assessment, canSeeAssessment)).toBe(false);
    expect(await verdict('teacher1@example.edu', ['cohort-1'], evidence, canSeeEvidence)).toBe(false);
    expect(await verdict('teacher2@example.edu', ['cohort-2'], assessment, canSeeAssessment)).toBe(true);
    expect(await verdict('student2@example.edu', [], evidence, canSeeEvidence)).toBe(true);
  });

  it('shows auditors everything, read-only', async () => {
    const result = await app.gql(AssessmentIdsDocument, { first: 1 }, { token: tokens.auditor });
    expect(result.data!.assessments.totalCount).toBe(await countWhere('true'));
  });

  it('refuses anonymous callers and API keys without the read scope', async () => {
    expect(codeOf(await app.gql(AssessmentIdsDocument, { first: 1 }))).toBe('UNAUTHENTICATED');
    const writeOnly = await apiKeyFor(app, 'admin@example.edu', ['assessments:write']);
    const result = await app.gql(AssessmentIdsDocument, { first: 1 }, { apiKey: writeOnly });
    expect(codeOf(result)).toBe('FORBIDDEN');
    expect(result.data).toBeNull();
    const reader = await apiKeyFor(app, 'teacher1@example.edu', ['read']);
    const scoped = await app.gql(AssessmentIdsDocument, { first: 1 }, { apiKey: reader });
    expect(scoped.data!.assessments.totalCount).toBe(await countWhere(`student_id in (select user_id from student_profiles where cohort = 'cohort-1')`));
  });
});

describe('latest, distribution and summary', () => {
  it('latestAssessment is the newest of the student and skill', async () => {
    const result = await app.gql(LatestDocument, { studentId: student1, skillType: 'RESILIENCE' }, { token: tokens.student1 });
    const [newest] = await sql<{ id: string }>(
      app,
      `select id from skill_assessments where student_id = $1 and skill_type = 'RESILIENCE' order by created_at desc, id desc limit 1`,
      [student1],
    );
    expect(result.data!.latestAssessment!.id).toBe(newest.id);
  });

  it('skillDistribution counts every skill, zeros included, with exact means', async () => {
    const result = await app.gql(SkillDistributionDocument, {}, { token: tokens.admin });
    const rows = await sql<{ skill_type: string; n: string; mean: string }>(
      app,
      'select skill_type, count(*) as n, round(avg(score), 4)::text as mean from skill_assessments group by skill_type',
    );
    expect(result.data!.skillDistribution).toHaveLength(7);
    for (const row of rows) {
      expect(result.data!.skillDistribution.find((s) => s.skillType === row.skill_type)).toEqual({
        skillType: row.skill_type,
        count: Number(row.n),
        averageScore: Number(row.mean),
      });
    }
    const none = await app.gql(SkillDistributionDocument, { filter: { from: '2020-01-01T00:00:00Z', to: '2020-02-01T00:00:00Z' } }, { token: tokens.admin });
    expect(none.data!.skillDistribution.every((s) => s.count === 0 && s.averageScore === null)).toBe(true);
  });

  it('studentSkillSummary gives the latest score per skill with the previous one and a trend', async () => {
    const result = await app.gql(StudentSkillSummaryDocument, { studentId: student2 }, { token: tokens.admin });
    expect(result.errors).toBeUndefined();
    const summary = result.data!.studentSkillSummary;
    expect(summary.student.email).toBe('student2@example.edu');
    expect(summary.missingPrimarySkills).toEqual([]);
    for (const skill of summary.skills) {
      const rows = await sql<{ score: string }>(
        app,
        'select score::text from skill_assessments where student_id = $1 and skill_type = $2 order by created_at desc, id desc',
        [student2, skill.skillType],
      );
      expect(skill.assessmentCount).toBe(rows.length);
      expect(skill.latestScore).toBe(Number(rows[0].score));
      expect(skill.previousScore).toBe(Number(rows[1].score));
      const change = (Math.round(Number(rows[0].score) * 1e4) - Math.round(Number(rows[1].score) * 1e4)) / 1e4;
      expect(skill.change).toBe(change);
      expect(skill.trend).toBe(change >= 0.05 ? 'IMPROVING' : change <= -0.05 ? 'DECLINING' : 'STABLE');
    }
  });
});
