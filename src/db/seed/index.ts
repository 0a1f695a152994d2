import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from '../../entities';
import { AuditAction } from '../../entities/audit-action';
import { conflict } from '../../errors';
import { refreshAnalyticsViews } from '../../services/analytics/views';
import { appendAudit, systemSource } from '../../services/audit.service';
import { seedAccounts, DEMO_STUDENTS, DEMO_TEACHERS } from './accounts';
import { seedAssessments } from './assessments';
import { seedExams, type ExamSeedSummary } from './exams';
import { seedGovernance } from './governance';
import { seedGovernanceMetrics } from './governance-metrics';
import { seedMonitoring, type MonitoringSeedSummary } from './monitoring';
import { seedQuests } from './quests';

export interface SeedSummary {
  users: number;
  assessments: number;
  evidence: number;
  exams: ExamSeedSummary;
  monitoring: MonitoringSeedSummary;
  governance: Awaited<ReturnType<typeof seedGovernance>> & { metricSamples: number };
}

export const databaseIsEmpty = async (em: EntityManager) => (await em.count(User, {})) === 0;

/**
 * Loads the demo data into an empty database in one transaction. Later capabilities
 * add their demo rows here, derived deterministically from the accounts.
 */
export async function seedDemoData(em: EntityManager, password: string): Promise<SeedSummary> {
  const summary = await em.transactional(async (tx) => {
    // Two instances starting on one empty database must not both seed it.
    await tx.execute(`select pg_advisory_xact_lock(hashtext('assay:seed'))`);
    // A one-time bulk load (the proctoring events are one large insert): DB_STATEMENT_TIMEOUT_MS
    // guards requests, and on a busy machine it cut the first start short.
    await tx.execute('set local statement_timeout = 0');
    if (!(await databaseIsEmpty(tx))) throw conflict('The database already has users; demo data goes only into an empty database');
    const accounts = await seedAccounts(tx, password);
    await tx.flush();
    const assessments = await seedAssessments(tx, accounts.students.map((s) => s.id));
    await seedQuests(tx, accounts);
    const source = systemSource('assay seed');
    const users = 2 + DEMO_TEACHERS + DEMO_STUDENTS;
    await appendAudit(tx, source, { action: AuditAction.SEED, details: { users } });
    const governance = { ...(await seedGovernance(tx, accounts, source)), metricSamples: await seedGovernanceMetrics(tx, new Date()) };
    const exams = await seedExams(tx, accounts);
    const monitoring = await seedMonitoring(tx, new Date());
    return { users, ...assessments, governance, exams, monitoring };
  });
  // So the analytics views answer from the demo data at once.
  await refreshAnalyticsViews(em);
  return summary;
}

export const DEMO_ACCOUNT_LINES = [
  'admin@example.edu (ADMIN)',
  'auditor@example.edu (AUDITOR)',
  `teacher1@example.edu … teacher${DEMO_TEACHERS}@example.edu (TEACHER; teacher K teaches cohort-K)`,
  `student1@example.edu … student${DEMO_STUDENTS}@example.edu (STUDENT; student N is in cohort-((N-1) mod 5 + 1))`,
];
