import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddEvidenceDocument, NewAssessmentDocument, StudentSkillSummaryDocument, type CreateAssessmentInput } from './generated/graphql';
import { codeOf, startTestApp, type TestApp } from './support/app';
import { apiKeyFor, countAssessments, countEvidence, sql, userId } from './support/assessments';
import { AssessmentSource, EvidenceKind, SkillType } from '../src/entities/skill';
import { AssessmentService } from '../src/services/assessment.service';

let app: TestApp;
let admin: string;
let student7: string;

const input = (overrides: Partial<CreateAssessmentInput> = {}): CreateAssessmentInput => ({
  studentId: student7,
  skillType: 'COLLABORATION',
  score: 0.1234,
  confidence: 0.9,
  reasoning: 'Shared the workload and built on peers\u2019 ideas.',
  source: 'ML_INFERENCE',
  modelName: 'skill-gbm',
  modelVersion: '2.0.0',
  featureImportance: { turn_taking: 0.6, peer_mentions: 0.4 },
  evidence: [
    { kind: 'LINGUISTIC', content: '"Can you take the data part?"', sourceRef: 'transcript:TR-1', relevance: 0.75 },
    { kind: 'BEHAVIORAL', content: 'Handed over the controller.' },
  ],
  ...overrides,
});

beforeAll(async () => {
  app = await startTestApp();
  admin = await app.login('admin@example.edu');
  student7 = await userId(app, 'student7@example.edu');
});
afterAll(() => app?.stop());

/** Runs a write that must fail, and checks nothing was stored or changed. */
async function expectNothingStored(write: () => Promise<unknown>) {
  const before = { assessments: await countAssessments(app), evidence: await countEvidence(app) };
  await write();
  expect({ assessments: await countAssessments(app), evidence: await countEvidence(app) }).toEqual(before);
}

describe('createAssessment', () => {
  it('stores the assessment with its evidence and answers with the row read back', async () => {
    const result = await app.gql(NewAssessmentDocument, { input: input() }, { token: admin });
    expect(result.errors).toBeUndefined();
    const created = result.data!.createAssessment;
    expect(created).toMatchObject({
      skillType: 'COLLABORATION',
      score: 0.1234,
      confidence: 0.9,
      source: 'ML_INFERENCE',
      featureImportance: { turn_taking: 0.6, peer_mentions: 0.4 },
      student: { id: student7 },
    });
    // Evidence written together shares its creation time; the list is ordered by time, then id.
    expect(created.evidence.map((e) => [e.kind, e.relevance, e.sourceRef]).sort()).toEqual([
      ['BEHAVIORAL', null, null],
      ['LINGUISTIC', 0.75, 'transcript:TR-1'],
    ]);
    const [row] = await sql<{ score: string; confidence: string; n: string }>(
      app,
      `select score::text, confidence::text, (select count(*) from evidence where assessment_id = a.id) as n
         from skill_assessments a where id = $1`,
      [created.id],
    );
    expect(row).toEqual({ score: '0.1234', confidence: '0.9000', n: '2' });
  });

  it('accepts an admin API key with assessments:write', async () => {
    const key = await apiKeyFor(app, 'admin@example.edu', ['assessments:write']);
    const result = await app.gql(NewAssessmentDocument, { input: input() }, { apiKey: key });
    expect(result.errors).toBeUndefined();
    expect(result.data!.createAssessment.evidence).toHaveLength(2);
  });

  it('refuses a key without the scope, keys and sessions of other roles, and anonymous callers', async () => {
    const refusals: [string, { token?: string; apiKey?: string }, string][] = [
      ['admin key with read only', { apiKey: await apiKeyFor(app, 'admin@example.edu', ['read']) }, 'FORBIDDEN'],
      ['student key with the scope', { apiKey: await apiKeyFor(app, 'student7@example.edu', ['assessments:write']) }, 'FORBIDDEN'],
      ['teacher key with the scope', { apiKey: await apiKeyFor(app, 'teacher2@example.edu', ['assessments:write']) }, 'FORBIDDEN'],
      ['teacher session', { token: await app.login('teacher2@example.edu') }, 'FORBIDDEN'],
      ['auditor session', { token: await app.login('auditor@example.edu') }, 'FORBIDDEN'],
      ['anonymous', {}, 'UNAUTHENTICATED'],
    ];
    for (const [who, auth, code] of refusals) {
      await expectNothingStored(async () => {
        const result = await app.gql(NewAssessmentDocument, { input: input() }, auth);
        expect(codeOf(result), who).toBe(code);
        expect(result.data, who).toBeNull();
      });
    }
  });

  it('rejects bad input naming the field, and stores nothing', async () => {
    const cases: [Partial<CreateAssessmentInput>, RegExp][] = [
      [{ score: 1.5 }, /score must be a number from 0 to 1/],
      [{ score: 0.12345 }, /score must be a number from 0 to 1 with at most 4 decimals/],
      [{ confidence: -0.1 }, /confidence must be/],
      [{ evidence: [] }, /evidence must have at least one item/],
      [{ evidence: [{ kind: 'OTHER', content: 'ok', relevance: 2 }] }, /relevance must be/],
      [{ evidence: [{ kind: 'OTHER', content: '   ' }] }, /content must not be blank/],
      [{ reasoning: '' }, /reasoning must be longer than or equal to 1/],
      [{ featureImportance: { turn_taking: 'high' } }, /featureImportance feature "turn_taking" must map to a finite number/],
      [{ studentId: 'not-a-uuid' }, /studentId must be a UUID/],
    ];
    for (const [overrides, message] of cases) {
      await expectNothingStored(async () => {
        const result = await app.gql(NewAssessmentDocument, { input: input(overrides) }, { token: admin });
        expect(codeOf(result), JSON.stringify(overrides)).toBe('BAD_USER_INPUT');
        expect(result.errors![0].message).toMatch(message);
      });
    }
  });

  it('rejects an unknown skill type and a student id that is not a student', async () => {
    await expectNothingStored(async () => {
      const unknown = await app.gql(NewAssessmentDocument, { input: input({ skillType: 'CHARISMA' as never }) }, { token: admin });
      expect(codeOf(unknown)).toBe('BAD_USER_INPUT');
      expect(unknown.errors![0].message).toMatch(/"CHARISMA".*skillType|skillType.*CHARISMA/);
      const teacher = await userId(app, 'teacher1@example.edu');
      const notStudent = await app.gql(NewAssessmentDocument, { input: input({ studentId: teacher }) }, { token: admin });
      expect(codeOf(notStudent)).toBe('BAD_USER_INPUT');
      expect(notStudent.errors![0].message).toMatch(/studentId does not name a student/);
    });
  });

  it('writes all or nothing: a row the database refuses rolls back the whole assessment', async () => {
    await expectNothingStored(async () => {
      const em = app.assay.database.orm.em.fork();
      // Past the edge validation on purpose: the second piece of evidence breaks evidence_relevance_check.
      const error = await new AssessmentService()
        .create(em, {
          ...input(),
          studentId: student7,
          featureImportance: null,
          skillType: SkillType.EMPATHY,
          source: AssessmentSource.AI_MODEL,
          evidence: [
            { kind: EvidenceKind.OTHER, content: 'fine' },
            { kind: EvidenceKind.OTHER, content: 'bad', relevance: 7 },
          ],
        })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', constraint: 'evidence_relevance_check' } });
    });
  });
});

describe('addEvidence', () => {
  it('attaches evidence to an assessment, and NOT_FOUND for a missing one', async () => {
    const created = (await app.gql(NewAssessmentDocument, { input: input() }, { token: admin })).data!.createAssessment;
    const added = await app.gql(
      AddEvidenceDocument,
      { input: { assessmentId: created.id, evidence: [{ kind: 'OTHER', content: 'Teacher note.' }] } },
      { token: admin },
    );
    expect(added.errors).toBeUndefined();
    expect(added.data!.addEvidence.evidence.map((e) => e.content)).toContain('Teacher note.');
    expect(new Date(added.data!.addEvidence.updatedAt).getTime()).toBeGreaterThan(new Date(created.updatedAt).getTime() - 1);

    await expectNothingStored(async () => {
      const input = { assessmentId: created.id, evidence: [{ kind: 'OTHER' as const, content: 'not allowed' }] };
      for (const auth of [{ token: await app.login('teacher1@example.edu') }, { apiKey: await apiKeyFor(app, 'admin@example.edu', ['read']) }]) {
        expect(codeOf(await app.gql(AddEvidenceDocument, { input }, auth))).toBe('FORBIDDEN');
      }
      const missing = await app.gql(
        AddEvidenceDocument,
        { input: { assessmentId: crypto.randomUUID(), evidence: [{ kind: 'OTHER', content: 'x' }] } },
        { token: admin },
      );
      expect(codeOf(missing)).toBe('NOT_FOUND');
      expect(missing.errors![0].message).toBe('Assessment not found');
    });
  });

  it('caps an assessment at 50 pieces of evidence', async () => {
    const created = (await app.gql(NewAssessmentDocument, { input: input() }, { token: admin })).data!.createAssessment;
    const many = Array.from({ length: 49 }, (_, i) => ({ kind: 'OTHER' as const, content: `note ${i}` }));
    await expectNothingStored(async () => {
      const result = await app.gql(AddEvidenceDocument, { input: { assessmentId: created.id, evidence: many } }, { token: admin });
      expect(codeOf(result)).toBe('BAD_USER_INPUT');
      expect(result.errors![0].message).toMatch(/at most 50 pieces of evidence \(it has 2\)/);
    });
  });
});

describe('trend', () => {
  it('compares the latest score with the one before, exactly', async () => {
    const student = await userId(app, 'student12@example.edu');
    await sql(app, `delete from skill_assessments where student_id = $1 and skill_type = 'ADAPTABILITY'`, [student]);
    const summary = async () =>
      (await app.gql(StudentSkillSummaryDocument, { studentId: student }, { token: admin })).data!.studentSkillSummary.skills.find(
        (s) => s.skillType === 'ADAPTABILITY',
      );
    expect(await summary()).toBeUndefined();
    const post = (score: number) =>
      app.gql(NewAssessmentDocument, { input: input({ studentId: student, skillType: 'ADAPTABILITY', score }) }, { token: admin });
    await post(0.1);
    expect(await summary()).toMatchObject({ trend: 'FIRST', latestScore: 0.1, previousScore: null, change: null });
    await post(0.15);
    // 0.15 - 0.1 in floating point is 0.04999999999999999: the trend must still see 0.05.
    expect(await summary()).toMatchObject({ trend: 'IMPROVING', latestScore: 0.15, previousScore: 0.1, change: 0.05, assessmentCount: 2 });
    await post(0.1001);
    expect(await summary()).toMatchObject({ trend: 'STABLE', change: -0.0499 });
    await post(0.0501);
    expect(await summary()).toMatchObject({ trend: 'DECLINING', change: -0.05 });
  });
});
