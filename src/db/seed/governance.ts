import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import Decimal from 'decimal.js';
import { AuthSession, GovernanceMode, LlmAuditTrail, Project, User, WorkflowExecution } from '../../entities';
import { AuditAction } from '../../entities/audit-action';
import { WorkflowStatus } from '../../entities/workflow-status';
import { appendAudit, asUser, type AuditSource } from '../../services/audit.service';
import { createGovernanceMode, retireGovernanceMode } from '../../services/governance-mode.service';
import type { DemoAccounts } from './accounts';
import { seededRandom } from './prng';

export const DEMO_PROJECT_NAME = 'Demo: AI assessment pilot';
export const DEMO_WORKFLOWS = ['skill-assessment', 'behaviour-analysis', 'essay-feedback'] as const;

/** USD per million tokens (prompt, completion): three price points, so cost by model has a shape. */
const MODELS = [
  { model: 'gpt-4o', prompt: '2.5', completion: '10', weight: 3 },
  { model: 'claude-sonnet-4', prompt: '3', completion: '15', weight: 2 },
  { model: 'gpt-4o-mini', prompt: '0.15', completion: '0.6', weight: 5 },
] as const;
const WEIGHTED = MODELS.flatMap((m) => Array.from({ length: m.weight }, () => m));

const REASONING = [
  ['Read the rubric', 'Compared the answer with the reference solution', 'Scored each criterion'],
  ['Grouped the monitoring events by minute', 'Looked for tab switches during the exam', 'No sustained anomaly found'],
  ['Summarised the essay', 'Checked the argument against the prompt', 'Wrote three suggestions'],
];
const CONTEXT_LAYERS = [['system', 'rubric', 'submission'], ['system', 'event-window'], ['system', 'essay', 'style-guide']];

/**
 * The demo's governance modes (how much the AI may decide on its own). `pilot` tagged the
 * first days' calls and is retired at the end of the seed, so history shows a retired mode.
 */
export const DEMO_MODES = [
  { key: 'assist', name: 'Assist', description: 'The AI suggests; a teacher makes every decision.' },
  { key: 'review', name: 'Review', description: 'The AI decides; a teacher reviews each decision before it counts.' },
  { key: 'autonomous', name: 'Autonomous', description: 'The AI decides alone; decisions are audited afterwards.' },
  { key: 'pilot', name: 'Pilot (retired)', description: 'The first pilot, before the modes above; kept for history.' },
] as const;
type DemoModeKey = (typeof DEMO_MODES)[number]['key'];
/** Modes cycled over the demo rows in order (null: no mode), so the distribution has every kind of group. */
const MODE_CYCLE: (DemoModeKey | null)[] = ['assist', 'review', 'assist', 'autonomous', null];

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const cost = (tokens: number, perMillion: string) => new Decimal(tokens).times(perMillion).div(1_000_000).toFixed();

/** A week of calls ending now: every timestamp falls within the last 7 days (6 days and 23 hours at most). */
function demoTrails(em: EntityManager, project: Project, recorder: User, now: number, modes: Map<string, GovernanceMode>) {
  const random = seededRandom(20261121);
  const rows = [];
  for (let day = 6; day >= 0; day--) {
    const calls = random.int(20, 45);
    for (let i = 0; i < calls; i++) {
      const price = random.pick(WEIGHTED);
      const prompt = random.int(400, 3000);
      const completion = random.int(100, 1200);
      const kind = random.int(0, REASONING.length - 1);
      rows.push({
        messageId: `demo-${day}-${String(i).padStart(2, '0')}`,
        project,
        model: price.model,
        reasoning: REASONING[kind],
        contextLayers: CONTEXT_LAYERS[kind],
        promptTokens: prompt,
        completionTokens: completion,
        totalTokens: prompt + completion,
        promptCost: cost(prompt, price.prompt),
        completionCost: cost(completion, price.completion),
        totalCost: new Decimal(cost(prompt, price.prompt)).plus(cost(completion, price.completion)).toFixed(),
        recordedByUserId: recorder.id,
        timestamp: new Date(now - day * DAY_MS - random.int(0, 23 * HOUR_MS)),
        mode: modeOf(day >= 5 ? 'pilot' : MODE_CYCLE[i % MODE_CYCLE.length], modes),
      });
    }
  }
  // The two newest calls are placeholders still waiting for their usage.
  rows.sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
  for (const row of rows.slice(-2)) {
    Object.assign(row, { promptTokens: null, completionTokens: null, totalTokens: null, promptCost: null, completionCost: null, totalCost: null });
  }
  return rows.map((row) => em.create(LlmAuditTrail, row, { persist: false }));
}

const modeOf = (key: DemoModeKey | null, modes: Map<string, GovernanceMode>) => (key === null ? null : modes.get(key)!);

/** Per workflow: three completed, one failed, one cancelled, one still running, each with its audit entries. */
async function demoWorkflows(em: EntityManager, source: AuditSource, starters: User[], now: number, modes: Map<string, GovernanceMode>) {
  const random = seededRandom(7);
  const outcomes = [WorkflowStatus.COMPLETED, WorkflowStatus.COMPLETED, WorkflowStatus.COMPLETED, WorkflowStatus.FAILED, WorkflowStatus.CANCELLED, WorkflowStatus.RUNNING];
  const rows = [];
  let n = 0;
  for (const workflowName of DEMO_WORKFLOWS) {
    for (const status of outcomes) {
      const mode = modeOf(MODE_CYCLE[n++ % MODE_CYCLE.length], modes);
      const starter = random.pick(starters);
      const startedAt = new Date(now - random.int(HOUR_MS, 6 * DAY_MS));
      const as = asUser(source, starter.id);
      const id = randomUUID();
      const started = await appendAudit(em, as, {
        action: AuditAction.WORKFLOW_STARTED,
        resourceType: 'WorkflowExecution',
        resourceId: id,
        details: { workflowName, ...(mode && { mode: { id: mode.id, key: mode.key } }), demo: true },
      });
      const row = em.create(
        WorkflowExecution,
        { id, workflowName, status, startedAt, triggeredByUserId: starter.id, startedAuditId: started.id, mode },
        { persist: false },
      );
      if (status !== WorkflowStatus.RUNNING) {
        const durationMs = random.int(2_000, 300_000);
        const error = status === WorkflowStatus.FAILED ? 'model timed out after 3 retries' : status === WorkflowStatus.CANCELLED ? 'cancelled by teacher' : null;
        const finished = await appendAudit(em, as, {
          action: AuditAction.WORKFLOW_FINISHED,
          resourceType: 'WorkflowExecution',
          resourceId: id,
          details: { workflowName, status, ...(error && { error }), demo: true },
        });
        Object.assign(row, {
          completedAt: new Date(startedAt.getTime() + durationMs),
          durationMs,
          error,
          result: status === WorkflowStatus.COMPLETED ? { score: random.int(50, 100), items: random.int(3, 12) } : null,
          finishedAuditId: finished.id,
        });
      }
      rows.push(row);
    }
  }
  await em.insertMany(WorkflowExecution, rows);
  return rows.length;
}

/** The demo modes, created as an admin's createGovernanceMode creates them (audited). */
async function demoModes(em: EntityManager, source: AuditSource) {
  const modes = new Map<string, GovernanceMode>();
  for (const fields of DEMO_MODES) modes.set(fields.key, await createGovernanceMode(em, fields, source));
  return modes;
}

/** Signed-in-and-out demo sessions, so user activity and the audit log show logins. */
async function demoLogins(em: EntityManager, source: AuditSource, users: User[]) {
  for (const user of users) {
    const session = em.create(AuthSession, { user, ip: '127.0.0.1', userAgent: source.userAgent, revokedAt: new Date(), revokedReason: 'demo data' });
    await em.flush();
    const entry = await appendAudit(em, asUser({ ...source, ip: '127.0.0.1' }, user.id), {
      action: AuditAction.LOGIN,
      resourceType: 'User',
      resourceId: user.id,
      details: { sessionId: session.id, demo: true },
    });
    user.lastLoginAt = entry.createdAt;
    user.lastLoginIp = '127.0.0.1';
  }
  await em.flush();
  return users.length;
}

/**
 * The governance demo: a project with a week of LLM calls over three models, workflow
 * runs of every status, and demo logins, each audited as it is created. Runs inside the
 * seed's transaction; trails and executions go in with one multi-row insert each.
 */
export async function seedGovernance(em: EntityManager, accounts: DemoAccounts, source: AuditSource) {
  const now = Date.now();
  const project = em.create(Project, { name: DEMO_PROJECT_NAME });
  await em.flush();
  await appendAudit(em, source, { action: AuditAction.PROJECT_CREATED, resourceType: 'Project', resourceId: project.id, details: { name: project.name } });
  const modes = await demoModes(em, source);
  const trails = demoTrails(em, project, accounts.teachers[0], now, modes);
  await em.insertMany(LlmAuditTrail, trails);
  const workflows = await demoWorkflows(em, source, [accounts.admin, ...accounts.teachers.slice(0, 3)], now, modes);
  // Retired after the rows it tags were written: it stays for history and tags nothing new.
  await retireGovernanceMode(em, 'pilot', source);
  const logins = await demoLogins(em, source, [accounts.admin, accounts.auditor, accounts.teachers[0], accounts.teachers[1], accounts.students[0], accounts.students[1], accounts.students[5]]);
  return { projects: 1, governanceModes: modes.size, llmTrails: trails.length, workflows, logins };
}
