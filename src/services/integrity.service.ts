import type { Knex } from '@mikro-orm/postgresql';
import { registerEnumType } from 'type-graphql';
import { PRIMARY_SKILLS } from '../entities/skill';

export enum IntegrityCheck {
  SCORE_OUT_OF_RANGE = 'SCORE_OUT_OF_RANGE',
  CONFIDENCE_OUT_OF_RANGE = 'CONFIDENCE_OUT_OF_RANGE',
  RELEVANCE_OUT_OF_RANGE = 'RELEVANCE_OUT_OF_RANGE',
  STUDENT_WITHOUT_ASSESSMENTS = 'STUDENT_WITHOUT_ASSESSMENTS',
  MISSING_PRIMARY_SKILLS = 'MISSING_PRIMARY_SKILLS',
  ORPHANED_EVIDENCE = 'ORPHANED_EVIDENCE',
  ASSESSMENT_WITHOUT_EVIDENCE = 'ASSESSMENT_WITHOUT_EVIDENCE',
  EVIDENCE_COUNT_OUTLIER = 'EVIDENCE_COUNT_OUTLIER',
  FUTURE_TIMESTAMP = 'FUTURE_TIMESTAMP',
  UPDATED_BEFORE_CREATED = 'UPDATED_BEFORE_CREATED',
}
registerEnumType(IntegrityCheck, { name: 'IntegrityCheck' });

export interface IntegrityFinding {
  table: string;
  id: string;
  detail: string;
}

export interface IntegrityCheckResult {
  check: IntegrityCheck;
  description: string;
  /** Every row that fails the check; `findings` lists the first `limit` of them. */
  count: number;
  findings: IntegrityFinding[];
}

export interface IntegrityReport {
  ok: boolean;
  checkedAt: Date;
  findingCount: number;
  checks: IntegrityCheckResult[];
  /** Orphaned evidence rows deleted (or, in a dry run, that would be). */
  orphansFixed: number;
}

export interface VerifyOptions {
  /** Findings listed per check (at least 1); `count` always covers all of them. */
  limit?: number;
  fixOrphans?: boolean;
  dryRun?: boolean;
}

/** Timestamps this far ahead of the database clock count as being in the future. */
const SKEW = `interval '5 minutes'`;
const PRIMARY = `string_to_array('${PRIMARY_SKILLS.join(',')}', ',')`;

/** Each check is one query returning (table, id, detail) for the rows that fail it. */
const CHECKS: { check: IntegrityCheck; description: string; sql: string }[] = [
  {
    check: IntegrityCheck.SCORE_OUT_OF_RANGE,
    description: 'assessment score outside 0..1',
    sql: `select 'skill_assessments' as "table", id, 'score ' || coalesce(score::text, 'null') as detail
            from skill_assessments where score is null or score < 0 or score > 1 order by created_at, id`,
  },
  {
    check: IntegrityCheck.CONFIDENCE_OUT_OF_RANGE,
    description: 'assessment confidence outside 0..1',
    sql: `select 'skill_assessments', id, 'confidence ' || coalesce(confidence::text, 'null')
            from skill_assessments where confidence is null or confidence < 0 or confidence > 1 order by created_at, id`,
  },
  {
    check: IntegrityCheck.RELEVANCE_OUT_OF_RANGE,
    description: 'evidence relevance outside 0..1',
    sql: `select 'evidence', id, 'relevance ' || relevance::text
            from evidence where relevance < 0 or relevance > 1 order by created_at, id`,
  },
  {
    check: IntegrityCheck.STUDENT_WITHOUT_ASSESSMENTS,
    description: 'student with no assessment at all',
    sql: `select 'users', u.id, u.email || ' has no assessments'
            from users u where u.role = 'STUDENT'
             and not exists (select 1 from skill_assessments a where a.student_id = u.id) order by u.email`,
  },
  {
    check: IntegrityCheck.MISSING_PRIMARY_SKILLS,
    description: `assessed student missing a primary skill (${PRIMARY_SKILLS.join(', ')})`,
    sql: `select 'users', u.id, u.email || ' lacks ' || string_agg(p.skill, ', ' order by p.ord)
            from users u cross join unnest(${PRIMARY}) with ordinality as p(skill, ord)
           where u.role = 'STUDENT'
             and exists (select 1 from skill_assessments a where a.student_id = u.id)
             and not exists (select 1 from skill_assessments a where a.student_id = u.id and a.skill_type = p.skill)
           group by u.id, u.email order by u.email`,
  },
  {
    check: IntegrityCheck.ORPHANED_EVIDENCE,
    description: 'evidence whose assessment does not exist',
    sql: `select 'evidence', e.id, 'assessment ' || e.assessment_id || ' does not exist'
            from evidence e where not exists (select 1 from skill_assessments a where a.id = e.assessment_id)
           order by e.created_at, e.id`,
  },
  {
    check: IntegrityCheck.ASSESSMENT_WITHOUT_EVIDENCE,
    description: 'assessment with no evidence',
    sql: `select 'skill_assessments', a.id, a.skill_type || ' of student ' || a.student_id || ' has no evidence'
            from skill_assessments a where not exists (select 1 from evidence e where e.assessment_id = a.id)
           order by a.created_at, a.id`,
  },
  {
    check: IntegrityCheck.EVIDENCE_COUNT_OUTLIER,
    description: 'assessment with more evidence than the mean + 3 standard deviations',
    sql: `with counts as (
            select assessment_id as id, count(*) as n from evidence e
             where exists (select 1 from skill_assessments a where a.id = e.assessment_id) group by assessment_id),
          stats as (select avg(n) as mean, stddev_pop(n) as sd from counts)
          select 'skill_assessments', c.id,
                 c.n || ' evidence rows (mean ' || round(s.mean, 1) || ', sd ' || round(s.sd, 1) || ')'
            from counts c cross join stats s where s.sd > 0 and c.n > s.mean + 3 * s.sd order by c.n desc, c.id`,
  },
  {
    check: IntegrityCheck.FUTURE_TIMESTAMP,
    description: 'timestamp in the future',
    sql: `select 'skill_assessments', id, 'created_at ' || created_at || ', updated_at ' || updated_at
            from skill_assessments where created_at > now() + ${SKEW} or updated_at > now() + ${SKEW}
          union all
          select 'evidence', id, 'created_at ' || created_at from evidence where created_at > now() + ${SKEW}`,
  },
  {
    check: IntegrityCheck.UPDATED_BEFORE_CREATED,
    description: 'assessment updated_at before created_at',
    sql: `select 'skill_assessments', id, 'updated_at ' || updated_at || ' < created_at ' || created_at
            from skill_assessments where updated_at < created_at order by created_at, id`,
  },
];

/**
 * Checks the assessment data against every rule the schema and the product expect, from
 * one snapshot; optionally deletes orphaned evidence (the only finding safe to repair
 * without a person deciding).
 */
export async function verifyAssessments(knex: Knex, options: VerifyOptions = {}): Promise<IntegrityReport> {
  const limit = Math.max(1, options.limit ?? 100);
  return knex.transaction(
    async (trx) => {
      const checks: IntegrityCheckResult[] = [];
      for (const { check, description, sql } of CHECKS) {
        // count(*) over () is computed before the limit: every listed row carries the total.
        const { rows } = await trx.raw<{ rows: { table: string; id: string; detail: string; total: string }[] }>(
          `select f.*, count(*) over () as total from (${sql}) as f("table", id, detail) limit ?`,
          [limit],
        );
        const count = Number(rows[0]?.total ?? 0);
        checks.push({ check, description, count, findings: rows.map(({ table, id, detail }) => ({ table, id, detail })) });
      }
      let orphansFixed = 0;
      const orphans = checks.find((c) => c.check === IntegrityCheck.ORPHANED_EVIDENCE)!;
      if (options.fixOrphans && orphans.count > 0) {
        if (options.dryRun) orphansFixed = orphans.count;
        else {
          const { rowCount } = await trx.raw<{ rowCount: number }>(
            `delete from evidence e where not exists (select 1 from skill_assessments a where a.id = e.assessment_id)`,
          );
          orphansFixed = rowCount;
        }
      }
      const findingCount = checks.reduce((sum, c) => sum + c.count, 0);
      const unresolved = findingCount - (options.dryRun ? 0 : orphansFixed);
      return { ok: unresolved === 0, checkedAt: new Date(), findingCount, checks, orphansFixed };
    },
    // Repeatable read: every check sees the same snapshot. Writable only to delete orphans.
    { isolationLevel: 'repeatable read', readOnly: !(options.fixOrphans && !options.dryRun) },
  );
}
