import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { uuidArray } from '../db/pg-array';
import type { Platform } from '@mikro-orm/core';
import type { StudentProfile, User } from '../entities';
import type { DropoutLabel } from '../entities/exam-enums';
import { preciseDateOf } from '../entities/precise-timestamp';
import { SettlingLoader } from './settled';
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

const USER_COLUMNS = 'u.id, u.email, u.username, u.role, u.is_active, u.is_verified, u.locked_at, u.last_login_at, u.last_login_ip, u.metadata, u.created_at, u.updated_at';

const PROFILE_COLUMNS = `sp.id as profile_id, sp.user_id as profile_user_id, sp.enrollment_id, sp.cohort, sp.cumulative_integrity,
  sp.cumulative_lmi, sp.attempts_completed, sp.attempts_passed, sp.current_dropout_risk, sp.flagged_for_review,
  sp.created_at as profile_created_at, sp.updated_at as profile_updated_at`;

interface ProfileRow {
  profile_id: string;
  profile_user_id: string;
  enrollment_id: string;
  cohort: string;
  cumulative_integrity: string | null;
  cumulative_lmi: string | null;
  attempts_completed: number;
  attempts_passed: number;
  current_dropout_risk: DropoutLabel | null;
  flagged_for_review: boolean;
  profile_created_at: string;
  profile_updated_at: string;
}

/*
 * Users and student profiles shown through relations (an assessment's student, an exam's
 * creator, an analytics row's student, …) and read by row rules, as plain rows with the
 * entities' exposed shape: they are only read, and hydrating managed entities (identity
 * map, change-tracking snapshots) cost about a millisecond for a page of 50 users
 * (bench/README.md). One statement per batch; never the password hash.
 */

function userOfRow(row: UserRow, platform: Platform): User {
  const at = (text: string | null) => (text === null ? null : platform.parseDate(text));
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
  return user as unknown as User;
}

const decimal = (text: string | null) => (text === null ? null : Number(text));

function profileOfRow(row: ProfileRow, platform: Platform): StudentProfile {
  const profile = {
    id: row.profile_id,
    user: { id: row.profile_user_id },
    enrollmentId: row.enrollment_id,
    cohort: row.cohort,
    cumulativeIntegrity: decimal(row.cumulative_integrity),
    cumulativeLmi: decimal(row.cumulative_lmi),
    attemptsCompleted: row.attempts_completed,
    attemptsPassed: row.attempts_passed,
    currentDropoutRisk: row.current_dropout_risk,
    flaggedForReview: row.flagged_for_review,
    createdAt: preciseDateOf(row.profile_created_at, platform),
    updatedAt: platform.parseDate(row.profile_updated_at),
  };
  return profile as unknown as StudentProfile;
}

export function userRowsById(em: EntityManager): DataLoader<string, User | null> {
  return new DataLoader(async (ids) => {
    const rows = await em.execute<UserRow[]>(`select ${USER_COLUMNS} from users u where u.id = any (?::uuid[])`, [uuidArray(ids)]);
    const platform = em.getPlatform();
    const byId = new Map(rows.map((row) => [row.id, userOfRow(row, platform)]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

export function studentProfileRowsByUserId(em: EntityManager): SettlingLoader<string, StudentProfile | null> {
  return new SettlingLoader(async (ids) => {
    const rows = await em.execute<ProfileRow[]>(`select ${PROFILE_COLUMNS} from student_profiles sp where sp.user_id = any (?::uuid[])`, [
      uuidArray(ids),
    ]);
    const platform = em.getPlatform();
    const byUser = new Map(rows.map((row) => [row.profile_user_id, profileOfRow(row, platform)]));
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
    const rows = await em.execute<(UserRow & Partial<ProfileRow>)[]>(
      `select ${USER_COLUMNS}, ${PROFILE_COLUMNS} from users u left join student_profiles sp on sp.user_id = u.id where u.id = any (?::uuid[])`,
      [uuidArray(ids)],
    );
    const platform = em.getPlatform();
    const byId = new Map<string, User>();
    for (const row of rows) {
      byId.set(row.id, userOfRow(row, platform));
      profiles.prime(row.id, row.profile_id ? profileOfRow(row as UserRow & ProfileRow, platform) : null);
    }
    return ids.map((id) => byId.get(id) ?? null);
  });
}
