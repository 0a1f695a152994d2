import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { GovernanceMode, Project } from '../entities';
import { AuditAction } from '../entities/audit-action';
import { badInput, notFound } from '../errors';
import { appendAudit, type AuditSource } from './audit.service';
import { mapUniqueViolation } from './unique-violation';

/** The longest range governanceModeDistribution reads at once. */
export const MAX_DISTRIBUTION_DAYS = 366;
/** The range read when from is not given: the 30 days before to. */
export const DEFAULT_DISTRIBUTION_DAYS = 30;
const DAY_MS = 86_400_000;

const modeDetails = (mode: GovernanceMode) => ({ key: mode.key, name: mode.name, description: mode.description });

/** Adds a mode, audited in the same transaction; a key already taken (retired ones included) is CONFLICT. */
export function createGovernanceMode(
  em: EntityManager,
  input: { key: string; name: string; description?: string | null },
  source: AuditSource,
): Promise<GovernanceMode> {
  return mapUniqueViolation(
    () =>
      em.transactional(async (tx) => {
        const mode = tx.create(GovernanceMode, { key: input.key, name: input.name.trim(), description: input.description?.trim() ?? '' });
        await tx.flush();
        await appendAudit(tx, source, {
          action: AuditAction.GOVERNANCE_MODE_CREATED,
          resourceType: 'GovernanceMode',
          resourceId: mode.id,
          details: modeDetails(mode),
        });
        return mode;
      }),
    { governance_modes_key_unique: `A governance mode with key "${input.key}" already exists` },
  );
}

/**
 * Retires a mode: it stays (history keeps pointing at it) but tags no new work. Retiring a
 * retired mode returns it unchanged, with no second audit entry.
 */
export function retireGovernanceMode(em: EntityManager, key: string, source: AuditSource): Promise<GovernanceMode> {
  return em.transactional(async (tx) => {
    const mode = await tx.findOne(GovernanceMode, { key }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!mode) throw notFound(`Governance mode "${key}"`);
    if (mode.retiredAt) return mode;
    mode.retiredAt = new Date();
    await tx.flush();
    await appendAudit(tx, source, {
      action: AuditAction.GOVERNANCE_MODE_RETIRED,
      resourceType: 'GovernanceMode',
      resourceId: mode.id,
      details: { ...modeDetails(mode), retiredAt: mode.retiredAt.toISOString() },
    });
    return mode;
  });
}

/**
 * The active mode with this key, for new work, inside the writing transaction: held
 * `for share` until it commits, so a concurrent retire waits for the new row (and the new
 * row never carries a mode retired before it). Unknown or retired: BAD_USER_INPUT naming it.
 */
export async function activeModeForNewWork(tx: EntityManager, key: string): Promise<GovernanceMode> {
  if (!tx.isInTransaction()) throw new Error('activeModeForNewWork must run inside the transaction that tags the new row');
  const mode = await tx.findOne(GovernanceMode, { key }, { lockMode: LockMode.PESSIMISTIC_READ });
  if (!mode) throw badInput(`Unknown governance mode "${key}"`, { argumentName: 'mode' });
  if (mode.retiredAt) throw badInput(`Governance mode "${key}" is retired and cannot tag new work`, { argumentName: 'mode' });
  return mode;
}

export interface GovernanceModeUsageRow {
  modeId: string | null;
  requests: number;
  workflows: number;
  workflowsCompleted: number;
  workflowsUnsuccessful: number;
  workflowsRunning: number;
  successRate: number | null;
  averageDurationMs: number | null;
  llmCalls: number;
  llmCallsCompleted: number;
  totalCost: string;
  averageCost: string | null;
}

/** The no-mode group's key in the join (no uuid v4 is all zeros). */
const NO_MODE = '00000000-0000-0000-0000-000000000000';

/**
 * Requests per governance mode (and with none) in [from, to) (default: the 30 days before
 * now), computed by PostgreSQL: one
 * GROUP BY over each table (through the (mode_id, time) indexes), joined per mode.
 * Workflows: by startedAt; success = COMPLETED over finished (FAILED and CANCELLED are
 * unsuccessful, RUNNING undecided); duration = durationMs of completed runs. LLM calls: by
 * their timestamp; cost = the exact numeric sum of total_cost (placeholders add nothing).
 * With a projectId only that project's calls count (workflows have no project).
 */
export async function governanceModeDistribution(
  em: EntityManager,
  args: { from?: Date | null; to?: Date | null; projectId?: string | null },
): Promise<GovernanceModeUsageRow[]> {
  const to = args.to ?? new Date();
  const from = args.from ?? new Date(to.getTime() - DEFAULT_DISTRIBUTION_DAYS * DAY_MS);
  if (from >= to) throw badInput('from must be before to');
  if (to.getTime() - from.getTime() > MAX_DISTRIBUTION_DAYS * DAY_MS) throw badInput(`from and to must be at most ${MAX_DISTRIBUTION_DAYS} days apart`);
  const projectId = args.projectId ?? null;
  if (projectId && !(await em.findOne(Project, { id: projectId }, { fields: ['id'] }))) throw notFound('Project');

  const rows = await em.execute<Record<string, string | null>[]>(
    `with w as (
       select coalesce(mode_id, '${NO_MODE}') as mode_key, count(*) as workflows,
              count(*) filter (where status = 'COMPLETED') as completed,
              count(*) filter (where status in ('FAILED', 'CANCELLED')) as unsuccessful,
              count(*) filter (where status = 'RUNNING') as running,
              round(avg(duration_ms) filter (where status = 'COMPLETED')) as average_duration_ms
         from workflow_executions
        where started_at >= ? and started_at < ? and ?::uuid is null
        group by 1
     ), t as (
       select coalesce(mode_id, '${NO_MODE}') as mode_key, count(*) as calls, count(total_cost) as calls_completed,
              coalesce(sum(total_cost), 0) as total_cost, round(avg(total_cost), 10) as average_cost
         from llm_audit_trails
        where called_at >= ? and called_at < ? and (?::uuid is null or project_id = ?::uuid)
        group by 1
     )
     select nullif(coalesce(w.mode_key, t.mode_key), '${NO_MODE}') as mode_id,
            coalesce(w.workflows, 0) + coalesce(t.calls, 0) as requests,
            coalesce(w.workflows, 0) as workflows, coalesce(w.completed, 0) as completed,
            coalesce(w.unsuccessful, 0) as unsuccessful, coalesce(w.running, 0) as running,
            round(w.completed::numeric / nullif(w.completed + w.unsuccessful, 0), 4) as success_rate,
            w.average_duration_ms,
            coalesce(t.calls, 0) as calls, coalesce(t.calls_completed, 0) as calls_completed,
            coalesce(t.total_cost, 0)::text as total_cost, t.average_cost::text as average_cost
       from w full join t on t.mode_key = w.mode_key
      order by requests desc, mode_id nulls last`,
    [from, to, projectId, from, to, projectId, projectId],
  );
  const num = (v: string | null) => (v == null ? null : Number(v));
  return rows.map((r) => ({
    modeId: r.mode_id,
    requests: Number(r.requests),
    workflows: Number(r.workflows),
    workflowsCompleted: Number(r.completed),
    workflowsUnsuccessful: Number(r.unsuccessful),
    workflowsRunning: Number(r.running),
    successRate: num(r.success_rate),
    averageDurationMs: num(r.average_duration_ms),
    llmCalls: Number(r.calls),
    llmCallsCompleted: Number(r.calls_completed),
    totalCost: r.total_cost!,
    averageCost: r.average_cost,
  }));
}
