import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import type { Batching } from './batching';
import { uuidArray } from '../db/pg-array';
import { plainColumns, plainRows } from '../db/plain-rows';
import { StudentProfile, User } from '../entities';

/**
 * Students with their profile in one statement, as plain rows (db/plain-rows.ts), priming
 * the profile loader: lists of students whose profiles are shown (analytics rows) would
 * otherwise cost a second statement.
 */
export function studentRowsWithProfileById(
  em: EntityManager,
  profiles: DataLoader<string, StudentProfile | null>,
  batching: Batching,
): DataLoader<string, User | null> {
  return new DataLoader(async (ids) => {
    const rows = await em.execute<Record<string, unknown>[]>(
      `select ${plainColumns(em, User, 'u')}, ${plainColumns(em, StudentProfile, 'sp', 'profile_')}
         from users u left join student_profiles sp on sp.user_id = u.id where u.id = any (?::uuid[])`,
      [uuidArray(ids)],
    );
    const toUser = plainRows(em, User);
    const toProfile = plainRows(em, StudentProfile, 'profile_');
    const byId = new Map<string, User>();
    for (const row of rows) {
      const user = toUser(row);
      byId.set(user.id, user);
      profiles.prime(user.id, row.profile_id ? toProfile(row) : null);
    }
    return ids.map((id) => byId.get(id) ?? null);
  }, batching);
}
