import type { EntityManager } from '@mikro-orm/postgresql';
import { generateApiKey } from '../auth/api-key-format';
import type { Viewer } from '../auth/viewer';
import { ApiKey, User } from '../entities';
import { Role } from '../entities/role';
import { badInput, conflict, notFound } from '../errors';

const MAX_LIVE_KEYS_PER_USER = 50;

export interface NewApiKey {
  name: string;
  scopes: string[];
  expiresAt?: Date | null;
}

export class ApiKeyService {
  async create(em: EntityManager, owner: User, input: NewApiKey): Promise<{ key: string; apiKey: ApiKey }> {
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) throw badInput('expiresAt must be in the future');
    const live = await em.count(ApiKey, { owner, revokedAt: null });
    if (live >= MAX_LIVE_KEYS_PER_USER) throw conflict(`At most ${MAX_LIVE_KEYS_PER_USER} live API keys per account; revoke one first`);
    const { key, prefix, keyHash } = generateApiKey();
    const apiKey = em.create(ApiKey, {
      owner,
      name: input.name.trim(),
      prefix,
      keyHash,
      scopes: [...new Set(input.scopes)],
      expiresAt: input.expiresAt ?? null,
    });
    await em.flush();
    return { key, apiKey };
  }

  /** The owner or an admin may revoke; anyone else is told the key does not exist. */
  async revoke(em: EntityManager, id: string, viewer: Viewer): Promise<ApiKey> {
    const where = viewer.user.role === Role.ADMIN ? { id } : { id, owner: viewer.user.id };
    const apiKey = await em.findOne(ApiKey, where);
    if (!apiKey) throw notFound('API key');
    apiKey.revokedAt ??= new Date();
    await em.flush();
    return apiKey;
  }
}
