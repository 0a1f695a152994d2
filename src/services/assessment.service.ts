import type { EntityManager } from '@mikro-orm/postgresql';
import type DataLoader from 'dataloader';
import { raw, type FilterQuery, type QBFilterQuery } from '@mikro-orm/core';
import type { Viewer } from '../auth/viewer';
import { Evidence, SkillAssessment, User } from '../entities';
import { Role } from '../entities/role';
import { AssessmentSource, EvidenceKind, PRIMARY_SKILLS, SkillTrend, SkillType } from '../entities/skill';
import { badInput, notFound } from '../errors';
import { assessmentVisibleSql, visibleAssessments } from '../permissions/assessment.scope';
import { allOf, type SqlCondition } from '../permissions/sql-condition';
import { plainColumns, plainRows } from '../db/plain-rows';
import type { Page } from '../types/connection';
import { paginateRows, type PageArgs } from './pagination';
import { studentsInCare } from '../permissions/user.scope';
import { mapConstraintViolation } from './constraint-violation';
import { checkFilterRange } from './time-range';

export interface NewEvidence {
  kind: EvidenceKind;
  content: string;
  sourceRef?: string | null;
  relevance?: number | null;
}

export interface NewAssessment {
  studentId: string;
  skillType: SkillType;
  score: number;
  confidence: number;
  reasoning: string;
  source: AssessmentSource;
  modelName: string;
  modelVersion: string;
  featureImportance?: Record<string, number> | null;
  evidence: NewEvidence[];
}

/** Loaders a page of assessments fills from its own statement. */
export interface PageRelations {
  evidence?: DataLoader<string, Evidence[]>;
  students?: DataLoader<string, User | null>;
}

export interface AssessmentFilterArgs {
  studentId?: string | null;
  skillTypes?: SkillType[] | null;
  from?: Date | null;
  to?: Date | null;
}

export interface SkillCountRow {
  skillType: SkillType;
  count: number;
  averageScore: number | null;
}

export interface SkillSummaryRow {
  skillType: SkillType;
  assessmentCount: number;
  latestScore: number;
  latestConfidence: number;
  latestAt: Date;
  previousScore: number | null;
  change: number | null;
  trend: SkillTrend;
}

/** A change in score of at least this much, either way, is a trend. */
const TREND_THRESHOLD = 500; // 0.05, in ten-thousandths
export const MAX_EVIDENCE_PER_ASSESSMENT = 50;

const SKILL_ORDER = Object.values(SkillType);

/** The caller's filter, always joined with the viewer's scope. */
export function assessmentWhere(viewer: Viewer, filter: AssessmentFilterArgs = {}): FilterQuery<SkillAssessment> {
  checkFilterRange(filter);
  const parts: FilterQuery<SkillAssessment>[] = [visibleAssessments(viewer)];
  if (filter.studentId) parts.push({ student: filter.studentId });
  if (filter.skillTypes?.length) parts.push({ skillType: { $in: filter.skillTypes } });
  if (filter.from) parts.push({ createdAt: { $gte: filter.from } });
  if (filter.to) parts.push({ createdAt: { $lt: filter.to } });
  return { $and: parts };
}

/** The same as assessmentWhere, in SQL over alias `a`: the page and assessmentStats run under it. */
export function assessmentFilterSql(viewer: Viewer, filter: AssessmentFilterArgs): SqlCondition {
  checkFilterRange(filter);
  const parts = [assessmentVisibleSql(viewer, 'a')];
  if (filter.studentId) parts.push({ sql: 'a.student_id = ?', params: [filter.studentId] });
  if (filter.skillTypes?.length) parts.push({ sql: 'a.skill_type = any (?::text[])', params: [`{${filter.skillTypes.join(',')}}`] });
  if (filter.from) parts.push({ sql: 'a.created_at >= ?', params: [filter.from] });
  if (filter.to) parts.push({ sql: 'a.created_at < ?', params: [filter.to] });
  return allOf(...parts);
}

const evidenceRow = (assessment: SkillAssessment, e: NewEvidence) => ({
  assessment,
  kind: e.kind,
  content: e.content,
  sourceRef: e.sourceRef ?? null,
  relevance: e.relevance ?? null,
});

export class AssessmentService {
  /**
   * A page of the assessments the viewer may see, newest first, as plain rows (read-only).
   * The relations asked for are read in the page's own statement (each row's evidence as
   * JSON, its student by a join) and primed into the request's loaders, where the field
   * resolvers find them: two statements fewer than loading them after the page.
   */
  page(em: EntityManager, viewer: Viewer, filter: AssessmentFilterArgs, args: PageArgs, relations: PageRelations = {}): Promise<Page<SkillAssessment>> {
    const { evidence, students } = relations;
    const columns = [
      plainColumns(em, SkillAssessment, 'a'),
      ...(students ? [plainColumns(em, User, 'u', 'student_')] : []),
      ...(evidence ? [`(select coalesce(json_agg(e order by e.created_at, e.id), '[]') from evidence e where e.assessment_id = a.id) as evidence_rows`] : []),
    ].join(', ');
    const source = { table: 'skill_assessments', alias: 'a', columns, joins: students ? 'join users u on u.id = a.student_id' : '' };
    const toAssessment = plainRows(em, SkillAssessment);
    const toStudent = plainRows(em, User, 'student_');
    const toEvidence = plainRows(em, Evidence);
    return paginateRows(em, source, assessmentFilterSql(viewer, filter), args, (row) => {
      const assessment = toAssessment(row);
      students?.prime(assessment.student.id, toStudent(row));
      evidence?.prime(assessment.id, (row.evidence_rows as Record<string, unknown>[]).map(toEvidence));
      return assessment;
    });
  }

  /** The assessment and its evidence in one transaction: all stored, or nothing. Returns the new id. */
  create(em: EntityManager, input: NewAssessment): Promise<string> {
    if (input.evidence.length < 1 || input.evidence.length > MAX_EVIDENCE_PER_ASSESSMENT) {
      throw badInput(`evidence must have 1 to ${MAX_EVIDENCE_PER_ASSESSMENT} items`, { field: 'evidence' });
    }
    return mapConstraintViolation(() =>
      em.transactional(async (tx) => {
        const student = await tx.findOne(User, { id: input.studentId });
        if (!student || student.role !== Role.STUDENT) throw badInput('studentId does not name a student', { field: 'studentId' });
        const assessment = tx.create(SkillAssessment, {
          student,
          skillType: input.skillType,
          score: input.score,
          confidence: input.confidence,
          reasoning: input.reasoning,
          source: input.source,
          modelName: input.modelName.trim(),
          modelVersion: input.modelVersion.trim(),
          featureImportance: input.featureImportance ?? null,
        });
        for (const e of input.evidence) tx.create(Evidence, evidenceRow(assessment, e));
        await tx.flush();
        return assessment.id;
      }),
    );
  }

  /** Attaches more evidence to an existing assessment, in one transaction. */
  addEvidence(em: EntityManager, assessmentId: string, evidence: NewEvidence[]): Promise<string> {
    return mapConstraintViolation(() =>
      em.transactional(async (tx) => {
        const assessment = await tx.findOne(SkillAssessment, { id: assessmentId });
        if (!assessment) throw notFound('Assessment');
        const existing = await tx.count(Evidence, { assessment });
        if (existing + evidence.length > MAX_EVIDENCE_PER_ASSESSMENT) {
          throw badInput(`an assessment holds at most ${MAX_EVIDENCE_PER_ASSESSMENT} pieces of evidence (it has ${existing})`, {
            field: 'evidence',
          });
        }
        for (const e of evidence) tx.create(Evidence, evidenceRow(assessment, e));
        assessment.updatedAt = new Date();
        await tx.flush();
        return assessment.id;
      }),
    );
  }

  latest(em: EntityManager, viewer: Viewer, studentId: string, skillType: SkillType): Promise<SkillAssessment | null> {
    return em.findOne(SkillAssessment, assessmentWhere(viewer, { studentId, skillTypes: [skillType] }), {
      orderBy: { createdAt: 'desc', id: 'desc' },
    });
  }

  /** Count and mean score per skill over what the viewer may see; every skill is listed, zeros included. */
  async distribution(em: EntityManager, viewer: Viewer, filter: AssessmentFilterArgs = {}): Promise<SkillCountRow[]> {
    const rows: { skill_type: SkillType; count: string; average: string | null }[] = await em
      .createQueryBuilder(SkillAssessment, 'a')
      .select(['a.skillType', raw('count(*) as count'), raw('round(avg(a.score), 4) as average')])
      .where(assessmentWhere(viewer, filter) as QBFilterQuery<SkillAssessment>)
      .groupBy('a.skill_type')
      .execute('all', false);
    const bySkill = new Map(rows.map((r) => [r.skill_type, r]));
    return SKILL_ORDER.map((skillType) => {
      const row = bySkill.get(skillType);
      return { skillType, count: Number(row?.count ?? 0), averageScore: row?.average == null ? null : Number(row.average) };
    });
  }

  /** The student's latest and previous score per skill; NOT_FOUND when the viewer may not see the student. */
  async summary(em: EntityManager, viewer: Viewer, studentId: string): Promise<{ student: User; skills: SkillSummaryRow[]; missing: SkillType[] }> {
    const student = await em.findOne(User, { $and: [{ id: studentId }, studentsInCare(viewer)] });
    if (!student) throw notFound('Student');
    const rows = await em.execute<
      { skill_type: SkillType; count: string; scores: string[]; latest_confidence: string; latest_at: Date }[]
    >(
      `select skill_type, count(*) as count,
              (array_agg(score::text order by created_at desc, id desc))[1:2] as scores,
              (array_agg(confidence::text order by created_at desc, id desc))[1] as latest_confidence,
              max(created_at) as latest_at
         from skill_assessments where student_id = ? group by skill_type`,
      [student.id],
    );
    const bySkill = new Map(rows.map((r) => [r.skill_type, r]));
    const skills = SKILL_ORDER.filter((s) => bySkill.has(s)).map((skillType): SkillSummaryRow => {
      const r = bySkill.get(skillType)!;
      const [latest, previous] = r.scores.map(toTenThousandths);
      return {
        skillType,
        assessmentCount: Number(r.count),
        latestScore: latest / 10_000,
        latestConfidence: Number(r.latest_confidence),
        latestAt: new Date(r.latest_at),
        previousScore: previous === undefined ? null : previous / 10_000,
        change: previous === undefined ? null : (latest - previous) / 10_000,
        trend: trendOf(latest, previous),
      };
    });
    return { student, skills, missing: PRIMARY_SKILLS.filter((s) => !bySkill.has(s)) };
  }
}

function trendOf(latest: number, previous: number | undefined): SkillTrend {
  if (previous === undefined) return SkillTrend.FIRST;
  if (latest - previous >= TREND_THRESHOLD) return SkillTrend.IMPROVING;
  if (previous - latest >= TREND_THRESHOLD) return SkillTrend.DECLINING;
  return SkillTrend.STABLE;
}

/** numeric(5,4) text to an integer count of 0.0001, so differences stay exact. */
const toTenThousandths = (text: string) => Math.round(Number(text) * 10_000);
