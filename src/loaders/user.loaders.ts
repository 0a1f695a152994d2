import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { uuidArray } from '../db/pg-array';
import { plainColumns, plainRows } from '../db/plain-rows';
import { StudentProfile, User } from '../entities';
import { SettlingLoader } from './settled';

/*
 * Users and student profiles shown through relations (an assessment's student, an exam's
 * creator, an analytics row's student, …) and read by row rules, as plain rows
 * (db/plain-rows.ts): they are only read, and hydrating managed entities cost about a
 * millisecond for a page of 50 users (bench/README.md). One statement per batch; never the
 * password hash.
 */

export function userRowsById(em: EntityManager): DataLoader<string, User | null> {
  return new DataLoader(async (ids) => {
    const rows = await em.execute<Record<string, unknown>[]>(`select ${plainColumns(em, User, 'u')} from users u where u.id = any (?::uuid[])`, [uuidArray(ids)]);
    const toUser = plainRows(em, User);
    const byId = new Map(rows.map((row) => [row.id as string, toUser(row)]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

export function studentProfileRowsByUserId(em: EntityManager): SettlingLoader<string, StudentProfile | null> {
  return new SettlingLoader(async (ids) => {
    const rows = await em.execute<Record<string, unknown>[]>(
      `select ${plainColumns(em, StudentProfile, 'sp')} from student_profiles sp where sp.user_id = any (?::uuid[])`,
      [uuidArray(ids)],
    );
    const toProfile = plainRows(em, StudentProfile);
    const byUser = new Map(rows.map((row) => [row.user_id as string, toProfile(row)]));
    return ids.map((id) => byUser.get(id) ?? null);
  });
}

/**
 * Students with their profile in one statement, priming the profile loader: the User row
 * rule reads the profile of every student it checks, so lists of students (analytics
 * rows) would otherwise cost a second statement.
 */
export function studentRowsWithProfileById(em: EntityManager, profiles: DataLoader<string, StudentProfile | null>): DataLoader<string, User | null> {
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
  });
}
