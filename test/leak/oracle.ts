import { ReferenceKind, type EntityMetadata, type MikroORM } from '@mikro-orm/core';

/*
 * What a caller may see, computed from the database with the access rules written out
 * again in plain SQL, independently of the server's code. Entity types the oracle has no
 * rule for are judged conservatively: a row is visible only if it references (through its
 * foreign keys, up to three hops) a row of a known type that the caller may see; admins
 * and auditors see every row that exists. An id found in no table is never visible.
 */

export interface LeakViewer {
  label: string;
  id: string | null;
  role: 'ADMIN' | 'AUDITOR' | 'TEACHER' | 'STUDENT' | null;
}

type Sql = (query: string) => Promise<Record<string, unknown>[]>;

interface Table {
  entity: string;
  table: string;
  /** Foreign keys to entities with a single `id` key: column → target entity. */
  references: { column: string; target: string }[];
}

/** Quests anyone signed in may see: open ones, and closed ones they are part of. */
const VISIBLE_QUESTS = `select id from quests where status in ('OPEN', 'IN_PROGRESS') or creator_id = $V or assigned_to_id = $V
  union select quest_id from quest_applications where applicant_id = $V
  union select quest_id from quest_participants where user_id = $V`;
const VISIBLE_APPLICATIONS = `select a.id, a.applicant_id, a.decided_by_id from quest_applications a join quests q on q.id = a.quest_id
  where q.creator_id = $V or a.applicant_id = $V`;
const VISIBLE_PARTICIPANTS = `select p.id, p.user_id from quest_participants p join quests q on q.id = p.quest_id
  where q.creator_id = $V or exists (select 1 from quest_participants me where me.quest_id = p.quest_id and me.user_id = $V)`;
/** The people named on quest rows the viewer may see (their id and username are shown). */
const QUEST_PEOPLE = `
  union select unnest(array[creator_id, assigned_to_id]) from quests where id in (${VISIBLE_QUESTS})
  union select unnest(array[applicant_id, decided_by_id]) from (${VISIBLE_APPLICATIONS}) a
  union select user_id from (${VISIBLE_PARTICIPANTS}) p`;
const TAUGHT_STUDENTS = `select sp.user_id from student_profiles sp join teacher_profiles tp on sp.cohort = any (tp.cohorts_taught) where tp.user_id = $V`;

/** Tables behind GraphQL types that are no MikroORM entity (written in SQL by their services). */
const SQL_TABLES: Table[] = [{ entity: 'Webhook', table: 'webhooks', references: [{ column: 'owner_id', target: 'User' }] }];

/** Known rules: the ids of `entity` the viewer may see, as one SQL query ($V is the viewer id). */
const RULES: Record<string, Partial<Record<'TEACHER' | 'STUDENT', string>>> = {
  Exam: {
    TEACHER: `select id from exams where creator_id = $V
              union select exam_id from teacher_exam_permissions where teacher_id = $V and can_view`,
    STUDENT: `select e.id from exams e where e.is_published and exists (
                select 1 from teacher_profiles tp join student_profiles sp on sp.cohort = any (tp.cohorts_taught)
                 where tp.user_id = e.creator_id and sp.user_id = $V)
              union select exam_id from exam_attempts where student_id = $V`,
  },
  ExamAttempt: {
    TEACHER: `select a.id from exam_attempts a where a.exam_id in (
                select id from exams where creator_id = $V
                union select exam_id from teacher_exam_permissions where teacher_id = $V and can_view)`,
    STUDENT: `select id from exam_attempts where student_id = $V`,
  },
  User: {
    TEACHER: `with viewable as (select id, creator_id from exams where creator_id = $V or id in (
                select exam_id from teacher_exam_permissions where teacher_id = $V and can_view)),
                   editable as (select id from exams where creator_id = $V or id in (
                select exam_id from teacher_exam_permissions where teacher_id = $V and can_edit))
              select $V::uuid as id
              union select sp.user_id from student_profiles sp join teacher_profiles tp on sp.cohort = any (tp.cohorts_taught) where tp.user_id = $V
              union select creator_id from viewable
              union select student_id from exam_attempts where exam_id in (select id from viewable)
              union select unnest(array[g.teacher_id, g.granted_by_id]) from teacher_exam_permissions g
                     where g.teacher_id = $V or g.exam_id in (select id from editable)
              ${QUEST_PEOPLE}`,
    STUDENT: `select $V::uuid as id ${QUEST_PEOPLE}`,
  },
  Quest: { TEACHER: VISIBLE_QUESTS, STUDENT: VISIBLE_QUESTS },
  QuestApplication: { TEACHER: `select id from (${VISIBLE_APPLICATIONS}) a`, STUDENT: `select id from (${VISIBLE_APPLICATIONS}) a` },
  QuestParticipant: { TEACHER: `select id from (${VISIBLE_PARTICIPANTS}) p`, STUDENT: `select id from (${VISIBLE_PARTICIPANTS}) p` },
  SkillAssessment: {
    TEACHER: `select id from skill_assessments where student_id in (${TAUGHT_STUDENTS})`,
    STUDENT: `select id from skill_assessments where student_id = $V`,
  },
  Evidence: {
    TEACHER: `select e.id from evidence e join skill_assessments a on a.id = e.assessment_id where a.student_id in (${TAUGHT_STUDENTS})`,
    STUDENT: `select e.id from evidence e join skill_assessments a on a.id = e.assessment_id where a.student_id = $V`,
  },
  // Teachers may record LLM calls, so they list projects and read back their own trails and runs.
  Project: { TEACHER: `select id from projects`, STUDENT: `select id from projects where false` },
  LlmAuditTrail: {
    TEACHER: `select id from llm_audit_trails where recorded_by_user_id = $V`,
    STUDENT: `select id from llm_audit_trails where false`,
  },
  WorkflowExecution: {
    TEACHER: `select id from workflow_executions where triggered_by_user_id = $V`,
    STUDENT: `select id from workflow_executions where false`,
  },
  // Governance modes are shared names: teachers tag work with them; students see none.
  GovernanceMode: { TEACHER: `select id from governance_modes`, STUDENT: `select id from governance_modes where false` },
  // Metric samples count everyone's work: overseers only.
  GovernanceMetric: { TEACHER: `select id from governance_metrics where false`, STUDENT: `select id from governance_metrics where false` },
  JobRun: { TEACHER: `select id from job_runs where false`, STUDENT: `select id from job_runs where false` },
  StudentProfile: {
    TEACHER: `select sp.id from student_profiles sp join teacher_profiles tp on sp.cohort = any (tp.cohorts_taught) where tp.user_id = $V`,
    STUDENT: `select id from student_profiles where user_id = $V`,
  },
  TeacherProfile: {
    TEACHER: `select id from teacher_profiles where user_id = $V`,
    STUDENT: `select id from teacher_profiles where false`,
  },
  PerformanceMetrics: {
    TEACHER: `select m.id from performance_metrics m join student_profiles sp on sp.user_id = m.student_id
                join teacher_profiles tp on sp.cohort = any (tp.cohorts_taught) where tp.user_id = $V`,
    STUDENT: `select id from performance_metrics where student_id = $V`,
  },
  ApiKey: {
    TEACHER: `select id from api_keys where owner_id = $V`,
    STUDENT: `select id from api_keys where owner_id = $V`,
  },
  AuditLog: { TEACHER: `select id from audit_logs where false`, STUDENT: `select id from audit_logs where false` },
  // Webhooks: their owners (and admins).
  Webhook: { TEACHER: `select id from webhooks where owner_id = $V`, STUDENT: `select id from webhooks where owner_id = $V` },
  // Proctoring events: staff who may view the exam; never a student, not even their own.
  MonitoringEvent: {
    TEACHER: `select m.id from monitoring_events m join exam_attempts a on a.id = m.attempt_id where a.exam_id in (
                select id from exams where creator_id = $V
                union select exam_id from teacher_exam_permissions where teacher_id = $V and can_view)`,
    STUDENT: `select id from monitoring_events where false`,
  },
};

export class Oracle {
  private readonly tables: Table[];
  private readonly visible = new Map<string, Promise<Set<string>>>();
  private readonly owners = new Map<string, string | null>();

  constructor(
    orm: MikroORM,
    private readonly sql: Sql,
  ) {
    const metas: EntityMetadata[] = Object.values(orm.getMetadata().getAll());
    const keyed = new Set(metas.filter((m) => m.primaryKeys.length === 1 && m.primaryKeys[0] === 'id').map((m) => m.className));
    this.tables = metas
      .filter((m) => keyed.has(m.className) && !m.embeddable && !m.virtual)
      .map((m) => ({
        entity: m.className,
        table: m.tableName,
        references: Object.values(m.properties)
          .filter((p) => (p.kind === ReferenceKind.MANY_TO_ONE || (p.kind === ReferenceKind.ONE_TO_ONE && p.owner)) && keyed.has(p.type))
          .map((p) => ({ column: p.fieldNames[0], target: p.type })),
      }))
      .concat(SQL_TABLES);
  }

  tableOf(entity: string): string {
    return this.tables.find((t) => t.entity === entity)!.table;
  }

  entities(): string[] {
    return this.tables.map((t) => t.entity);
  }

  hasRule(entity: string): boolean {
    return entity in RULES;
  }

  async rowCount(entity: string): Promise<number> {
    const table = this.tables.find((t) => t.entity === entity);
    if (!table) return 0;
    const [row] = await this.sql(`select count(*)::int as n from ${table.table}`);
    return row.n as number;
  }

  /** Which entity table holds this id (null if none): for ids of computed types and ID-typed fields. */
  async ownerOf(id: string): Promise<string | null> {
    if (!this.owners.has(id)) {
      let owner: string | null = null;
      if (/^[0-9a-f-]{36}$/i.test(id)) {
        for (const table of this.tables) {
          const rows = await this.sql(`select 1 from ${table.table} where id = '${id}'`);
          if (rows.length) {
            owner = table.entity;
            break;
          }
        }
      }
      this.owners.set(id, owner);
    }
    return this.owners.get(id)!;
  }

  /** Drops what it knew of who sees what: a mutation may have added rows or rights since. */
  forget(): void {
    this.visible.clear();
  }

  /** May the viewer see row `id` of `entity`? */
  async allows(viewer: LeakViewer, entity: string, id: string): Promise<boolean> {
    return (await this.visibleRows(viewer, entity)).has(id);
  }

  /** The ids of `entity` the viewer may see: none for the anonymous or an unknown entity. */
  visibleRows(viewer: LeakViewer, entity: string): Promise<Set<string>> {
    if (!viewer.role || !this.tables.some((t) => t.entity === entity)) return Promise.resolve(new Set());
    return this.visibleIds(viewer, entity, 0);
  }

  private visibleIds(viewer: LeakViewer, entity: string, hops: number): Promise<Set<string>> {
    const key = `${viewer.label}:${entity}:${hops}`;
    if (!this.visible.has(key)) this.visible.set(key, this.compute(viewer, entity, hops));
    return this.visible.get(key)!;
  }

  private async compute(viewer: LeakViewer, entity: string, hops: number): Promise<Set<string>> {
    const table = this.tables.find((t) => t.entity === entity)!;
    if (viewer.role === 'ADMIN' || viewer.role === 'AUDITOR') {
      return new Set((await this.sql(`select id from ${table.table}`)).map((r) => String(r.id)));
    }
    const rule = RULES[entity]?.[viewer.role as 'TEACHER' | 'STUDENT'];
    if (rule) return new Set((await this.sql(rule.replaceAll('$V', `'${viewer.id}'`))).map((r) => String(r.id)));
    if (hops >= 3 || table.references.length === 0) return new Set();
    const rows = await this.sql(`select id, ${table.references.map((r) => r.column).join(', ')} from ${table.table}`);
    const visible = new Set<string>();
    for (const ref of table.references) {
      if (ref.target === entity) continue;
      const targets = await this.visibleIds(viewer, ref.target, hops + 1);
      for (const row of rows) if (row[ref.column] != null && targets.has(String(row[ref.column]))) visible.add(String(row.id));
    }
    return visible;
  }
}
