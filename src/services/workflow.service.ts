import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { hasRole, type Viewer } from '../auth/viewer';
import { WorkflowExecution } from '../entities';
import { AuditAction } from '../entities/audit-action';
import { Role } from '../entities/role';
import { WorkflowStatus } from '../entities/workflow-status';
import { badInput, conflict, notFound } from '../errors';
import { appendAudit, type AuditSource } from './audit.service';
import { activeModeForNewWork } from './governance-mode.service';

export interface WorkflowOutcome {
  status: WorkflowStatus;
  result?: unknown;
  error?: string | null;
}

/**
 * Records the start of a workflow and its audit entry, in one transaction, tagged with an
 * active governance mode when one is given (its key and id go into the audit entry).
 */
export function startWorkflow(
  em: EntityManager,
  input: { workflowName: string; mode?: string | null },
  viewer: Viewer,
  source: AuditSource,
): Promise<WorkflowExecution> {
  const { workflowName } = input;
  return em.transactional(async (tx) => {
    const mode = input.mode != null ? await activeModeForNewWork(tx, input.mode) : null;
    const id = randomUUID();
    const entry = await appendAudit(tx, source, {
      action: AuditAction.WORKFLOW_STARTED,
      resourceType: 'WorkflowExecution',
      resourceId: id,
      details: { workflowName, ...(mode && { mode: { id: mode.id, key: mode.key } }) },
    });
    const execution = tx.create(WorkflowExecution, {
      id,
      workflowName,
      mode,
      status: WorkflowStatus.RUNNING,
      startedAt: entry.createdAt,
      triggeredByUserId: viewer.user.id,
      triggeredByApiKeyId: viewer.apiKeyId ?? null,
      startedAuditId: entry.id,
    });
    await tx.flush();
    return execution;
  });
}

function checkOutcome(outcome: WorkflowOutcome) {
  if (outcome.status === WorkflowStatus.RUNNING) throw badInput('status must be COMPLETED, FAILED or CANCELLED');
  if (outcome.status === WorkflowStatus.FAILED && !outcome.error) throw badInput('A FAILED workflow needs an error');
  if (outcome.status === WorkflowStatus.COMPLETED && outcome.error) throw badInput('A COMPLETED workflow has no error');
}

/**
 * Finishes a running workflow: its status, result or error, completion time and
 * duration, audited in the same transaction. Finishing it again with the same status
 * returns it unchanged (a retry); with another status it conflicts. The one who started
 * it and admins may finish it.
 */
export function finishWorkflow(
  em: EntityManager,
  id: string,
  outcome: WorkflowOutcome,
  viewer: Viewer,
  source: AuditSource,
): Promise<WorkflowExecution> {
  checkOutcome(outcome);
  return em.transactional(async (tx) => {
    const where = hasRole(viewer, Role.ADMIN) ? { id } : { id, triggeredByUserId: viewer.user.id };
    const execution = await tx.findOne(WorkflowExecution, where, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!execution) throw notFound('Workflow execution');
    if (execution.status !== WorkflowStatus.RUNNING) {
      if (execution.status === outcome.status) return execution;
      throw conflict(`The workflow already finished as ${execution.status}`);
    }
    const entry = await appendAudit(tx, source, {
      action: AuditAction.WORKFLOW_FINISHED,
      resourceType: 'WorkflowExecution',
      resourceId: execution.id,
      details: { workflowName: execution.workflowName, status: outcome.status, ...(outcome.error && { error: outcome.error }) },
    });
    // Another instance's clock may lag the one that started it: never finish before the start.
    const completedAt = new Date(Math.max(entry.createdAt.getTime(), execution.startedAt.getTime()));
    execution.status = outcome.status;
    execution.completedAt = completedAt;
    execution.durationMs = completedAt.getTime() - execution.startedAt.getTime();
    execution.result = outcome.result ?? null;
    execution.error = outcome.error ?? null;
    execution.finishedAuditId = entry.id;
    return execution;
  });
}

export interface WorkflowSuccessRate {
  workflowName: string;
  total: number;
  completed: number;
  failed: number;
  cancelled: number;
  running: number;
  successRate: number | null;
  averageDurationMs: number | null;
}

/** Per workflow over executions started in [from, to): success rate = completed / finished (running ones excluded). */
export async function workflowSuccessRates(em: EntityManager, from?: Date | null, to?: Date | null): Promise<WorkflowSuccessRate[]> {
  if (from && to && from >= to) throw badInput('from must be before to');
  const rows = await em.execute<Record<string, string | null>[]>(
    `select workflow_name,
            count(*) as total,
            count(*) filter (where status = 'COMPLETED') as completed,
            count(*) filter (where status = 'FAILED') as failed,
            count(*) filter (where status = 'CANCELLED') as cancelled,
            count(*) filter (where status = 'RUNNING') as running,
            round(count(*) filter (where status = 'COMPLETED')::numeric / nullif(count(*) filter (where status <> 'RUNNING'), 0), 4) as success_rate,
            round(avg(duration_ms) filter (where status = 'COMPLETED')) as average_duration_ms
       from workflow_executions
      where started_at >= coalesce(?::timestamptz, '-infinity') and started_at < coalesce(?::timestamptz, 'infinity')
      group by workflow_name order by workflow_name`,
    [from ?? null, to ?? null],
  );
  const num = (v: string | null) => (v == null ? null : Number(v));
  return rows.map((r) => ({
    workflowName: r.workflow_name!,
    total: Number(r.total),
    completed: Number(r.completed),
    failed: Number(r.failed),
    cancelled: Number(r.cancelled),
    running: Number(r.running),
    successRate: num(r.success_rate),
    averageDurationMs: num(r.average_duration_ms),
  }));
}
