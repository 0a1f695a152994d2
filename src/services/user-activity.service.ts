import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput } from '../errors';

export interface UserActivity {
  userId: string;
  logins: number;
  failedLogins: number;
  workflows: number;
  lastSeenAt: Date | null;
}

const DEFAULT_WINDOW_MS = 30 * 86_400_000;

/**
 * Per user with any activity in [from, to) (default: the last 30 days): logins and
 * failed logins from the audit log, workflows started, and when they were last seen
 * (latest of an audit entry they caused, a workflow they started, their last login and
 * the last use of one of their API keys), most recently seen first.
 */
export async function userActivity(
  em: EntityManager,
  args: { from?: Date | null; to?: Date | null; userId?: string | null; limit: number },
): Promise<UserActivity[]> {
  const to = args.to ?? new Date();
  const from = args.from ?? new Date(to.getTime() - DEFAULT_WINDOW_MS);
  if (from >= to) throw badInput('from must be before to');
  const rows = await em.execute<{ user_id: string; logins: string; failed_logins: string; workflows: string; last_seen_ms: string | null }[]>(
    `with audit as (
            select actor_user_id as user_id,
                   count(*) filter (where action = 'LOGIN') as logins,
                   max(created_at) as last_at
              from audit_logs
             where actor_user_id is not null and created_at >= ? and created_at < ?
             group by actor_user_id),
          -- Failed logins are anonymous: the account tried is the entry's resource.
          failed as (
            select resource_id as user_id, count(*) as failed_logins
              from audit_logs
             where action = 'LOGIN_FAILED' and resource_type = 'User' and created_at >= ? and created_at < ?
             group by resource_id),
          runs as (
            select triggered_by_user_id as user_id, count(*) as workflows, max(started_at) as last_at
              from workflow_executions
             where triggered_by_user_id is not null and started_at >= ? and started_at < ?
             group by triggered_by_user_id),
          keys as (select owner_id as user_id, max(last_used_at) as last_at from api_keys group by owner_id)
     select u.id as user_id,
            coalesce(audit.logins, 0) as logins,
            coalesce(failed.failed_logins, 0) as failed_logins,
            coalesce(runs.workflows, 0) as workflows,
            floor(extract(epoch from greatest(audit.last_at, runs.last_at, u.last_login_at, keys.last_at)) * 1000) as last_seen_ms
       from users u
       left join audit on audit.user_id = u.id
       left join failed on failed.user_id = u.id::text
       left join runs on runs.user_id = u.id
       left join keys on keys.user_id = u.id
      where (audit.user_id is not null or failed.user_id is not null or runs.user_id is not null)
        and (?::uuid is null or u.id = ?::uuid)
      order by last_seen_ms desc nulls last, u.id
      limit ?`,
    [from, to, from, to, from, to, args.userId ?? null, args.userId ?? null, args.limit],
  );
  return rows.map((r) => ({
    userId: r.user_id,
    logins: Number(r.logins),
    failedLogins: Number(r.failed_logins),
    workflows: Number(r.workflows),
    // Epoch milliseconds: the ORM hands timestamps of raw queries back as text.
    lastSeenAt: r.last_seen_ms == null ? null : new Date(Number(r.last_seen_ms)),
  }));
}
