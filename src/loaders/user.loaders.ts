import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { uuidArray } from '../db/pg-array';
import type { User } from '../entities';
import { preciseDateOf } from '../entities/precise-timestamp';
import type { Role } from '../entities/role';

interface UserRow {
  id: string;
  email: string;
  username: string;
  role: Role;
  is_active: boolean;
  is_verified: boolean;
  /** text: MikroORM's pg connection leaves timestamps unparsed */
  locked_at: string | null;
  last_login_at: string | null;
  last_login_ip: string | null;
  metadata: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

/**
 * Users by id for the relation fields that show them (an assessment's student, an exam's
 * creator, …), one statement per batch, as plain rows with the entity's exposed shape:
 * these users are only read, and hydrating managed entities cost about a millisecond for
 * a page of 50 (bench/README.md). Never the password hash.
 */
export function userRowsById(em: EntityManager): DataLoader<string, User | null> {
  return new DataLoader(async (ids) => {
    const rows = await em.execute<UserRow[]>(
      `select id, email, username, role, is_active, is_verified, locked_at, last_login_at, last_login_ip, metadata, created_at, updated_at
         from users where id = any (?::uuid[])`,
      [uuidArray(ids)],
    );
    const platform = em.getPlatform();
    const at = (text: string | null) => (text === null ? null : platform.parseDate(text));
    const byId = new Map(
      rows.map((row) => {
        const user = {
          id: row.id,
          email: row.email,
          username: row.username,
          role: row.role,
          isActive: row.is_active,
          isVerified: row.is_verified,
          lockedAt: at(row.locked_at),
          lastLoginAt: at(row.last_login_at),
          lastLoginIp: row.last_login_ip,
          metadata: row.metadata,
          createdAt: preciseDateOf(row.created_at, platform),
          updatedAt: platform.parseDate(row.updated_at),
        };
        return [row.id, user as unknown as User];
      }),
    );
    return ids.map((id) => byId.get(id) ?? null);
  });
}
