import { createHash } from 'node:crypto';
import type { Knex } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import { RateLimiterPostgres, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

export interface LoginLimits {
  perAccount: number;
  perIp: number;
  windowSeconds: number;
  /** How long a successful sign-in from an address lets that account through the address's limit. */
  trustedAddressSeconds: number;
  registrationsPerIp: number;
  registrationWindowSeconds: number;
}

export type LimiterStore = { kind: 'postgres'; knex: Knex } | { kind: 'redis'; redis: Redis };

/** Which allowance ran out. */
export enum LimitName {
  LOGIN_ACCOUNT = 'LOGIN_ACCOUNT',
  LOGIN_ADDRESS = 'LOGIN_ADDRESS',
  REGISTER_ADDRESS = 'REGISTER_ADDRESS',
}

/** An attempt refused by a limit: nothing behind the limit (password check, hashing) ran. */
export interface Refusal {
  limit: LimitName;
  /** The e-mail or address, for the audit entry. */
  subject: string;
  /** Fixed-length digest of the subject: what the counters are keyed by. */
  key: string;
  retryAfterSeconds: number;
  endsAt: Date;
}

/** An attempt that may go ahead; the caller reports how it ended. */
export interface LoginAttempt {
  accountKey: string;
  addressKey: string;
  pairKey: string;
}

export type Admission<T> = { admitted: T } | { refused: Refusal };

/** Keys have one length whatever the e-mail or address: the store's key column is bounded. */
export const limiterKey = (scope: 'account' | 'address' | 'pair', value: string) => createHash('sha256').update(`${scope}\0${value}`).digest('hex');

/**
 * Counts attempts per account and per address in a store every instance shares (PostgreSQL,
 * or Redis when configured). Each attempt takes its point atomically before the password is
 * checked, so however many calls arrive at once, at most `perAccount` passwords are checked
 * per account per window; a success gives its point back. Past a limit every attempt is
 * refused, whatever the password, except that an account that signed in from this address
 * recently is let through the address's limit (see the README's trade-off).
 */
export class LoginLimiter {
  private readonly byAccount: RateLimiterAbstract;
  private readonly byAddress: RateLimiterAbstract;
  private readonly trustedPairs: RateLimiterAbstract;
  private readonly registrations: RateLimiterAbstract;

  constructor(store: LimiterStore, private readonly limits: LoginLimits) {
    const make = (keyPrefix: string, points: number, duration: number) =>
      store.kind === 'redis'
        ? new RateLimiterRedis({ storeClient: store.redis, keyPrefix, points, duration })
        : new RateLimiterPostgres({
            storeClient: store.knex,
            storeType: 'knex',
            tableName: 'login_failures',
            tableCreated: true,
            clearExpiredByTimeout: false,
            keyPrefix,
            points,
            duration,
          });
    this.byAccount = make('login_fail_account', limits.perAccount, limits.windowSeconds);
    this.byAddress = make('login_fail_ip', limits.perIp, limits.windowSeconds);
    this.trustedPairs = make('login_trusted', 1, limits.trustedAddressSeconds);
    this.registrations = make('register_ip', limits.registrationsPerIp, limits.registrationWindowSeconds);
  }

  /** Takes one attempt from the account's and the address's allowance, or says which ran out. */
  async beginLogin(email: string, ip: string): Promise<Admission<LoginAttempt>> {
    const attempt = { accountKey: limiterKey('account', email), addressKey: limiterKey('address', ip), pairKey: limiterKey('pair', `${ip}\0${email}`) };
    const [account, address] = await Promise.all([take(this.byAccount, attempt.accountKey), take(this.byAddress, attempt.addressKey)]);
    if (account instanceof RateLimiterRes) {
      // A refused attempt is no failure of the address.
      if (!(address instanceof RateLimiterRes)) await this.byAddress.reward(attempt.addressKey, 1);
      return { refused: refusal(LimitName.LOGIN_ACCOUNT, email, attempt.accountKey, account) };
    }
    if (address instanceof RateLimiterRes && !(await this.trustedPairs.get(attempt.pairKey))) {
      await this.byAccount.reward(attempt.accountKey, 1);
      return { refused: refusal(LimitName.LOGIN_ADDRESS, ip, attempt.addressKey, address) };
    }
    return { admitted: attempt };
  }

  /** The password was right: its points come back and the address is trusted for this account. */
  async succeeded(attempt: LoginAttempt): Promise<void> {
    await Promise.all([
      this.byAccount.reward(attempt.accountKey, 1),
      this.byAddress.reward(attempt.addressKey, 1),
      this.trustedPairs.set(attempt.pairKey, 1, this.limits.trustedAddressSeconds),
    ]);
  }

  /** Takes one registration from the address's allowance, before any hashing. */
  async beginRegistration(ip: string): Promise<Refusal | null> {
    const key = limiterKey('address', ip);
    const result = await take(this.registrations, key);
    return result instanceof RateLimiterRes ? refusal(LimitName.REGISTER_ADDRESS, ip, key, result) : null;
  }

  /** Clears the account's failures (unlockUser). */
  async reset(email: string): Promise<void> {
    await this.byAccount.delete(limiterKey('account', email));
  }
}

/** consume() rejects with a RateLimiterRes when the points ran out, and with an Error when the store fails. */
async function take(limiter: RateLimiterAbstract, key: string): Promise<RateLimiterRes | null> {
  try {
    await limiter.consume(key, 1);
    return null;
  } catch (error) {
    if (error instanceof RateLimiterRes) return error;
    throw error;
  }
}

function refusal(limit: LimitName, subject: string, key: string, res: RateLimiterRes): Refusal {
  const ms = Math.max(res.msBeforeNext, 1000);
  return { limit, subject, key, retryAfterSeconds: Math.ceil(ms / 1000), endsAt: new Date(Date.now() + ms) };
}
