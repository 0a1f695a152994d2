import type { Knex } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import { RateLimiterPostgres, RateLimiterRedis, type RateLimiterAbstract, type RateLimiterRes } from 'rate-limiter-flexible';
import { rateLimited } from '../errors';

export interface LoginLimits {
  perAccount: number;
  perIp: number;
  windowSeconds: number;
}

export type LimiterStore = { kind: 'postgres'; knex: Knex } | { kind: 'redis'; redis: Redis };

/**
 * Counts failed logins per account and per IP in a store every instance shares
 * (PostgreSQL, or Redis when configured). Past either limit every attempt is refused,
 * whatever the password, until the window runs out.
 */
export class LoginLimiter {
  private readonly byAccount: RateLimiterAbstract;
  private readonly byIp: RateLimiterAbstract;

  constructor(store: LimiterStore, private readonly limits: LoginLimits) {
    const make = (keyPrefix: string, points: number) =>
      store.kind === 'redis'
        ? new RateLimiterRedis({ storeClient: store.redis, keyPrefix, points, duration: limits.windowSeconds })
        : new RateLimiterPostgres({
            storeClient: store.knex,
            storeType: 'knex',
            tableName: 'login_failures',
            tableCreated: true,
            clearExpiredByTimeout: false,
            keyPrefix,
            points,
            duration: limits.windowSeconds,
          });
    this.byAccount = make('login_fail_account', limits.perAccount);
    this.byIp = make('login_fail_ip', limits.perIp);
  }

  /** Throws RATE_LIMITED when the account or the address has used up its failures. */
  async assertAllowed(email: string, ip: string): Promise<void> {
    const [account, address] = await Promise.all([this.byAccount.get(email), this.byIp.get(ip)]);
    const blocked = [
      this.blockedFor(account, this.limits.perAccount),
      this.blockedFor(address, this.limits.perIp),
    ].filter((ms): ms is number => ms !== null);
    if (blocked.length > 0) throw rateLimited(Math.ceil(Math.max(...blocked) / 1000));
  }

  async recordFailure(email: string, ip: string): Promise<void> {
    await Promise.all([this.swallowLimit(this.byAccount.consume(email)), this.swallowLimit(this.byIp.consume(ip))]);
  }

  async reset(email: string): Promise<void> {
    await this.byAccount.delete(email);
  }

  private blockedFor(res: RateLimiterRes | null, max: number): number | null {
    return res && res.consumedPoints >= max ? Math.max(res.msBeforeNext, 1000) : null;
  }

  /** consume() rejects once points run out; the counter is still recorded, which is all we need. */
  private async swallowLimit(attempt: Promise<unknown>): Promise<void> {
    try {
      await attempt;
    } catch (error) {
      if (error instanceof Error) throw error;
    }
  }
}
