import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { LlmAuditTrail, Project } from '../entities';
import { AuditAction } from '../entities/audit-action';
import { badInput, notFound } from '../errors';
import { appendAudit, type AuditSource } from './audit.service';
import { mapUniqueViolation } from './unique-violation';

export interface ProjectFields {
  name?: string | null;
  /** null clears a per-project override; undefined leaves it. */
  retentionDays?: number | null;
}

const UNIQUE_MESSAGES = { projects_name_unique: 'A project with that name already exists' };

export function createProject(em: EntityManager, input: { name: string; retentionDays?: number | null }, source: AuditSource): Promise<Project> {
  return mapUniqueViolation(
    () =>
      em.transactional(async (tx) => {
        const project = tx.create(Project, { name: input.name.trim(), retentionDays: input.retentionDays ?? null });
        await tx.flush();
        await appendAudit(tx, source, {
          action: AuditAction.PROJECT_CREATED,
          resourceType: 'Project',
          resourceId: project.id,
          details: { name: project.name, retentionDays: project.retentionDays ?? null },
        });
        return project;
      }),
    UNIQUE_MESSAGES,
  );
}

export function updateProject(em: EntityManager, id: string, patch: ProjectFields, source: AuditSource): Promise<Project> {
  if (patch.name == null && patch.retentionDays === undefined) throw badInput('input must set name or retentionDays');
  return mapUniqueViolation(
    () =>
      em.transactional(async (tx) => {
        const project = await tx.findOne(Project, { id });
        if (!project) throw notFound('Project');
        const before = { name: project.name, retentionDays: project.retentionDays ?? null };
        if (patch.name != null) project.name = patch.name.trim();
        if (patch.retentionDays !== undefined) project.retentionDays = patch.retentionDays;
        await tx.flush();
        await appendAudit(tx, source, {
          action: AuditAction.PROJECT_UPDATED,
          resourceType: 'Project',
          resourceId: project.id,
          details: { before, after: { name: project.name, retentionDays: project.retentionDays ?? null } },
        });
        return project;
      }),
    UNIQUE_MESSAGES,
  );
}

/** Deletes the project and (by the foreign key's cascade) its trails, audited with how many went. */
export function deleteProject(em: EntityManager, id: string, source: AuditSource): Promise<boolean> {
  return em.transactional(async (tx) => {
    // The row lock holds off new trails (their foreign-key check) until the delete commits, so the count is exact.
    const project = await tx.findOne(Project, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!project) throw notFound('Project');
    const trailsDeleted = await tx.count(LlmAuditTrail, { project });
    await tx.nativeDelete(Project, { id });
    await appendAudit(tx, source, {
      action: AuditAction.PROJECT_DELETED,
      resourceType: 'Project',
      resourceId: id,
      details: { name: project.name, trailsDeleted },
    });
    return true;
  });
}
