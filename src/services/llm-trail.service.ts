import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import Decimal from 'decimal.js';
import { hasRole, type Viewer } from '../auth/viewer';
import { GovernanceMode, LlmAuditTrail, Project } from '../entities';
import { Role } from '../entities/role';
import { badInput, conflict, notFound } from '../errors';
import { activeModeForNewWork } from './governance-mode.service';

export interface TokenUsageIn {
  prompt: number;
  completion: number;
  total?: number | null;
}

export interface CostIn {
  prompt: string;
  completion: string;
  total?: string | null;
}

export interface LlmCallIn {
  messageId: string;
  projectId: string;
  model: string;
  reasoning?: string[] | null;
  contextLayers?: unknown;
  tokens?: TokenUsageIn | null;
  cost?: CostIn | null;
  timestamp?: Date | null;
  /** The key of an active governance mode; set once, never patched. */
  mode?: string | null;
}

/** No `mode`: the mode a call was made under never changes (and a trigger refuses it in the database). */
export type LlmCallPatchIn = Partial<Pick<LlmCallIn, 'model' | 'reasoning' | 'contextLayers' | 'tokens' | 'cost'>>;

/** How far ahead of this server's clock a caller's timestamp may be. */
const CLOCK_SKEW_MS = 5 * 60_000;

function contextLayersOf(value: unknown): unknown {
  if (value === undefined || value === null) return [];
  if (typeof value !== 'object') throw badInput('contextLayers must be a JSON array or object');
  return value;
}

function usageColumns(tokens: TokenUsageIn | null | undefined, cost: CostIn | null | undefined) {
  const columns: Partial<LlmAuditTrail> = {};
  if (tokens) {
    columns.promptTokens = tokens.prompt;
    columns.completionTokens = tokens.completion;
    columns.totalTokens = tokens.total ?? tokens.prompt + tokens.completion;
  }
  if (cost) {
    columns.promptCost = cost.prompt;
    columns.completionCost = cost.completion;
    columns.totalCost = cost.total ?? new Decimal(cost.prompt).plus(cost.completion).toFixed();
  }
  return columns;
}

/** Writers see their own trails; admins every trail. */
const writableBy = (viewer: Viewer, messageId: string) =>
  hasRole(viewer, Role.ADMIN) ? { messageId } : { messageId, recordedByUserId: viewer.user.id };

/**
 * Stores a model call, as a placeholder or complete. Recording a messageId again (a
 * client retry) returns the first record unchanged; from another caller or for another
 * project it conflicts, so nobody is handed a record someone else made.
 * Trails are not mirrored in the audit log: each one is itself a record of who called
 * what (recordedBy), and chaining every model call would serialise all writers.
 */
export async function recordLlmCall(em: EntityManager, input: LlmCallIn, viewer: Viewer): Promise<LlmAuditTrail> {
  if (input.timestamp && input.timestamp.getTime() > Date.now() + CLOCK_SKEW_MS) throw badInput('timestamp must not be in the future');
  const project = await em.findOne(Project, { id: input.projectId });
  if (!project) throw notFound('Project');
  const insert = async (target: EntityManager, mode: GovernanceMode | null) => {
    const row = target.create(
      LlmAuditTrail,
      {
        messageId: input.messageId,
        project,
        mode,
        model: input.model.trim(),
        reasoning: input.reasoning ?? [],
        contextLayers: contextLayersOf(input.contextLayers),
        ...usageColumns(input.tokens, input.cost),
        recordedByUserId: viewer.user.id,
        recordedByApiKeyId: viewer.apiKeyId ?? null,
        timestamp: input.timestamp ?? new Date(),
      },
      { persist: false },
    );
    await target.insert(LlmAuditTrail, row);
    return row;
  };
  const modeKey = input.mode ?? null;
  try {
    // With a mode, the check that it is active and the insert are one transaction (activeModeForNewWork).
    return modeKey === null
      ? await insert(em, null)
      : await em.transactional(async (tx) => insert(tx, await activeModeForNewWork(tx, modeKey)));
  } catch (error) {
    if (!(error instanceof UniqueConstraintViolationException)) throw error;
  }
  const existing = await em.findOneOrFail(LlmAuditTrail, { messageId: input.messageId }, { populate: ['mode'] });
  if (existing.recordedByUserId !== viewer.user.id) throw conflict('That messageId is already recorded by another caller');
  if (existing.project.id !== input.projectId) throw conflict('That messageId is already recorded for another project');
  if ((existing.mode?.key ?? null) !== modeKey) throw conflict('That messageId is already recorded under another governance mode');
  return existing;
}

/** Sets the given fields of a recorded call; applying the same patch twice leaves the same trail. */
export async function updateLlmCall(em: EntityManager, messageId: string, patch: LlmCallPatchIn, viewer: Viewer): Promise<LlmAuditTrail> {
  const given = Object.entries(patch).filter(([, v]) => v !== undefined && v !== null);
  if (given.length === 0) throw badInput('patch must set at least one of model, reasoning, contextLayers, tokens, cost');
  return em.transactional(async (tx) => {
    const trail = await tx.findOne(LlmAuditTrail, writableBy(viewer, messageId), { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!trail) throw notFound('LLM call');
    if (patch.model != null) trail.model = patch.model.trim();
    if (patch.reasoning != null) trail.reasoning = patch.reasoning;
    if (patch.contextLayers != null) trail.contextLayers = contextLayersOf(patch.contextLayers);
    Object.assign(trail, usageColumns(patch.tokens, patch.cost));
    return trail;
  });
}
