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

/** Where the counters live: PostgreSQL, or Redis with PostgreSQL standing in while Redis does not answer. */
export type LimiterStore = { kind: 'postgres'; knex: Knex } | { kind: 'redis'; redis: Redis; knex: Knex };

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

/** An attempt that may go ahead; the caller reports a success, and ends it (finished) whatever happened. */
export interface LoginAttempt {
  accountKey: string;
  addressKey: string;
  pairKey: string;
  finished(): void;
}

export type Admission<T> = { admitted: T } | { refused: Refusal };

/** Rounds a refused attempt waits for this process's attempts on the same key before it is refused. */
const MAX_WAITS = 20;

/** Keys have one length whatever the e-mail or address: the store's key column is bounded. */
export const limiterKey = (scope: 'account' | 'address' | 'pair', value: string) => createHash('sha256').update(`${scope}\0${value}`).digest('hex');

/**
 * Counts attempts per account and per address in a store every instance shares (PostgreSQL,
 * or Redis when configured). Each attempt takes its point atomically before the password is
 * checked, so however many calls arrive at once, at most `perAccount` passwords are checked
 * per account per window; a success gives its point back. Past a limit every attempt is
 * refused, whatever the password, except that an account that signed in from this address
 * recently is let through the address's limit (see the README's trade-off).
 *
 * Right passwords that arrive together hold points until they are checked, so a burst of
 * them could use a limit up although none fails. An attempt refused while attempts on the
 * same key were being checked in this process (when it asked, or still) gives its point
 * back, waits for them and asks again (a bounded number of rounds); only what is over the
 * limit once nothing of its key is being checked here is refused.
 */
export class LoginLimiter {
  private readonly byAccount: RateLimiterAbstract;
  private readonly byAddress: RateLimiterAbstract;
  private readonly trustedPairs: RateLimiterAbstract;
  private readonly registrations: RateLimiterAbstract;
  /** Attempts of this process still being checked, by limiter key. */
  private readonly inFlight = new Map<string, Set<Promise<void>>>();

  constructor(store: LimiterStore, private readonly limits: LoginLimits) {
    const inPostgres = (keyPrefix: string, points: number, duration: number) =>
      new RateLimiterPostgres({
        storeClient: store.knex,
        storeType: 'knex',
        tableName: 'login_failures',
        tableCreated: true,
        clearExpiredByTimeout: false,
        keyPrefix,
        points,
        duration,
      });
    // rate-limiter-flexible's insurance: while Redis is not connected (or a command fails) the
    // attempt is counted in PostgreSQL instead, so logins stay limited, neither refused nor
    // unlimited. Without rejectIfRedisNotReady a command would wait in ioredis' offline queue.
    const make = (keyPrefix: string, points: number, duration: number) =>
      store.kind === 'redis'
        ? new RateLimiterRedis({
            storeClient: store.redis,
            keyPrefix,
            points,
            duration,
            rejectIfRedisNotReady: true,
            insuranceLimiter: inPostgres(keyPrefix, points, duration),
          })
        : inPostgres(keyPrefix, points, duration);
    this.byAccount = make('login_fail_account', limits.perAccount, limits.windowSeconds);
    this.byAddress = make('login_fail_ip', limits.perIp, limits.windowSeconds);
    this.trustedPairs = make('login_trusted', 1, limits.trustedAddressSeconds);
    this.registrations = make('register_ip', limits.registrationsPerIp, limits.registrationWindowSeconds);
  }

  /** Takes one attempt from the account's and the address's allowance, or says which ran out. */
  async beginLogin(email: string, ip: string): Promise<Admission<LoginAttempt>> {
    const keys = { accountKey: limiterKey('account', email), addressKey: limiterKey('address', ip), pairKey: limiterKey('pair', `${ip}\0${email}`) };
    let outcome = await this.admit(keys, email, ip);
    for (let round = 0; 'refused' in outcome && round < MAX_WAITS; round++) {
      // Attempts on the key that were being checked when this one took its point, or still
      // are, may give points back. Those that ended between the refusal and this line count
      // too: looking only at what is in flight now refused a burst's last right password.
      const others = [...outcome.others, ...this.pendingOn(outcome.refused.key)];
      if (others.length === 0) break;
      await this.limiterOf(outcome.refused.limit).reward(outcome.refused.key, 1);
      await Promise.all(others);
      outcome = await this.admit(keys, email, ip);
    }
    if ('refused' in outcome) return { refused: outcome.refused };
    return { admitted: { ...keys, finished: outcome.admitted } };
  }

  /**
   * Admitted, the attempt counts as being checked from the moment it holds the account's
   * point: its end is what it returns. Refused, it names the attempts on the refused key that
   * were being checked when it asked.
   */
  private async admit(keys: Omit<LoginAttempt, 'finished'>, email: string, ip: string): Promise<{ admitted: () => void } | { refused: Refusal; others: Promise<void>[] }> {
    // The account first, and the address only for what the account let through: a flood on one
    // account would otherwise hold the address's points for a moment and refuse other accounts.
    const accountOthers = this.pendingOn(keys.accountKey);
    const account = await take(this.byAccount, keys.accountKey);
    if (account) return { refused: refusal(LimitName.LOGIN_ACCOUNT, email, keys.accountKey, account), others: accountOthers };
    const addressOthers = this.pendingOn(keys.addressKey);
    const finished = this.track([keys.accountKey, keys.addressKey]);
    try {
      const address = await take(this.byAddress, keys.addressKey);
      if (address && !(await this.trustedPairs.get(keys.pairKey))) {
        await this.byAccount.reward(keys.accountKey, 1);
        finished();
        return { refused: refusal(LimitName.LOGIN_ADDRESS, ip, keys.addressKey, address), others: addressOthers };
      }
      return { admitted: finished };
    } catch (error) {
      finished();
      throw error;
    }
  }

  private limiterOf(limit: LimitName): RateLimiterAbstract {
    if (limit === LimitName.LOGIN_ACCOUNT) return this.byAccount;
    return limit === LimitName.LOGIN_ADDRESS ? this.byAddress : this.registrations;
  }

  private pendingOn(key: string): Promise<void>[] {
    return [...(this.inFlight.get(key) ?? [])];
  }

  /** Marks an admitted attempt as being checked under these keys; the returned function ends it. */
  private track(keys: string[]): () => void {
    let settle!: () => void;
    const done = new Promise<void>((resolve) => (settle = resolve));
    for (const key of keys) {
      const pending = this.inFlight.get(key) ?? new Set();
      this.inFlight.set(key, pending.add(done));
    }
    return () => {
      for (const key of keys) {
        const pending = this.inFlight.get(key);
        pending?.delete(done);
        if (pending?.size === 0) this.inFlight.delete(key);
      }
      settle();
    };
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
