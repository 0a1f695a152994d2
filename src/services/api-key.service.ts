import type { EntityManager } from '@mikro-orm/postgresql';
import { generateApiKey } from '../auth/api-key-format';
import type { Viewer } from '../auth/viewer';
import { ApiKey, User } from '../entities';
import { AuditAction } from '../entities/audit-action';
import { Role } from '../entities/role';
import { badInput, conflict, notFound } from '../errors';
import { appendAudit, type AuditSource } from './audit.service';

const MAX_LIVE_KEYS_PER_USER = 50;

export interface NewApiKey {
  name: string;
  scopes: string[];
  expiresAt?: Date | null;
}

export class ApiKeyService {
  async create(em: EntityManager, ownerId: string, input: NewApiKey, source: AuditSource): Promise<{ key: string; apiKey: ApiKey }> {
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) throw badInput('expiresAt must be in the future');
    const live = await em.count(ApiKey, { owner: ownerId, revokedAt: null });
    if (live >= MAX_LIVE_KEYS_PER_USER) throw conflict(`At most ${MAX_LIVE_KEYS_PER_USER} live API keys per account; revoke one first`);
    const { key, prefix, keyHash } = generateApiKey();
    const apiKey = await em.transactional(async (tx) => {
      const created = tx.create(ApiKey, {
        owner: tx.getReference(User, ownerId),
        name: input.name.trim(),
        prefix,
        keyHash,
        scopes: [...new Set(input.scopes)],
        expiresAt: input.expiresAt ?? null,
      });
      await tx.flush();
      await appendAudit(tx, source, {
        action: AuditAction.API_KEY_CREATED,
        resourceType: 'ApiKey',
        resourceId: created.id,
        details: { name: created.name, prefix, scopes: created.scopes, expiresAt: created.expiresAt?.toISOString() ?? null },
      });
      return created;
    });
    return { key, apiKey };
  }

  /** The owner or an admin may revoke; anyone else is told the key does not exist. */
  async revoke(em: EntityManager, id: string, viewer: Viewer, source: AuditSource): Promise<ApiKey> {
    const where = viewer.user.role === Role.ADMIN ? { id } : { id, owner: viewer.user.id };
    return em.transactional(async (tx) => {
      const apiKey = await tx.findOne(ApiKey, where);
      if (!apiKey) throw notFound('API key');
      if (!apiKey.revokedAt) {
        apiKey.revokedAt = new Date();
        await appendAudit(tx, source, { action: AuditAction.API_KEY_REVOKED, resourceType: 'ApiKey', resourceId: apiKey.id });
      }
      return apiKey;
    });
  }
}
