import path from 'node:path';
import { Cron } from 'croner';
import { z } from 'zod';
import type { LoginLimits } from './auth/login-limiter';
import type { MonitoringLimits } from './services/monitoring/limits';
import { projectRoot } from './project-root';


const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** A cron pattern croner accepts (5 fields, or 6 with seconds). */
const cronPattern = z.string().refine((v) => {
  try {
    new Cron(v, { paused: true }).stop();
    return true;
  } catch {
    return false;
  }
}, 'must be a cron pattern such as "17 3 * * *"');

/** A job that may be switched off: a cron pattern, or `off` (then it runs only through `assay jobs run`). */
const optionalSchedule = z
  .string()
  .refine((v) => v === 'off' || cronPattern.safeParse(v).success, 'must be a cron pattern such as "30 2 * * *", or off')
  .transform((v) => (v === 'off' ? null : v));

/**
 * A sampling interval such as 15m, 1h or 1d that divides a day into whole minutes (at least
 * 5): intervals then line up on midnight UTC, as the series' buckets do. Parsed to seconds.
 */
const metricsInterval = z
  .string()
  .regex(/^\d{1,4}[mhd]$/, 'must look like 15m, 1h or 1d')
  .transform((v) => Number(v.slice(0, -1)) * { m: 60, h: 3600, d: 86_400 }[v.slice(-1) as 'm' | 'h' | 'd'])
  .refine((s) => s >= 300 && s <= 86_400 && (s < 3600 ? 3600 % s === 0 : s % 3600 === 0 && 86_400 % s === 0), {
    message: 'must divide an hour (5m, 10m, 15m, 20m, 30m) or a day in whole hours (1h, 2h, 3h, 4h, 6h, 8h, 12h, 1d)',
  });

const postgresUrl = z
  .string()
  .url()
  .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must be a postgres:// or postgresql:// URL');

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().min(1).default('0.0.0.0'),
    PORT: int(0, 65535).default(4000),
    DATABASE_URL: postgresUrl.optional(),
    ASSAY_DATA_DIR: z.string().min(1).default(path.join(projectRoot, '.assay')),
    EMBEDDED_PG_PORT: int(1024, 65535).default(54329),
    MIGRATE_ON_START: bool.default(true),
    DB_POOL_MAX: int(1, 200).default(10),
    DB_STATEMENT_TIMEOUT_MS: int(100, 600_000).default(15_000),
    JWT_SECRET: z
      .string()
      .refine((v) => Buffer.byteLength(v) >= 32, 'must be at least 32 bytes')
      .optional(),
    JWT_ISSUER: z.string().min(1).default('assay'),
    JWT_AUDIENCE: z.string().min(1).default('assay-api'),
    ACCESS_TOKEN_TTL_SECONDS: int(60, 86_400).default(900),
    REFRESH_TOKEN_TTL_SECONDS: int(300, 90 * 86_400).default(7 * 86_400),
    LOGIN_MAX_FAILURES_PER_ACCOUNT: int(1, 1000).default(5),
    LOGIN_MAX_FAILURES_PER_IP: int(1, 100_000).default(100),
    LOGIN_FAILURE_WINDOW_SECONDS: int(10, 86_400).default(900),
    LOGIN_TRUSTED_ADDRESS_DAYS: int(1, 365).default(30),
    REGISTER_MAX_PER_IP: int(1, 100_000).default(10),
    REGISTER_WINDOW_SECONDS: int(10, 86_400).default(3600),
    REDIS_URL: z
      .string()
      .url()
      .refine((v) => /^rediss?:\/\//.test(v), 'must be a redis:// or rediss:// URL')
      .optional(),
    DEMO_PASSWORD: z.string().min(8).default('assay-demo'),
    TRUST_PROXY: bool.default(false),
    CORS_ORIGIN: z.string().min(1).default('*'),
    BODY_LIMIT: z
      .string()
      .regex(/^\d+(b|kb|mb)$/i, 'must look like 512kb or 1mb')
      .default('1mb'),
    GRAPHQL_MAX_DEPTH: int(1, 100).default(15),
    GRAPHQL_MAX_ALIASES: int(0, 1000).default(20),
    GRAPHQL_MAX_DIRECTIVES: int(0, 1000).default(5),
    GRAPHQL_MAX_TOKENS: int(100, 1_000_000).default(5000),
    GRAPHQL_MAX_COST: int(100, 10_000_000).default(50_000),
    JSON_MAX_DEPTH: int(2, 1000).default(32),
    JSON_MAX_VALUES: int(100, 10_000_000).default(50_000),
    DIAGNOSTIC_HEADERS: bool.optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    JOBS_ENABLED: bool.default(true),
    JOB_RETENTION_SCHEDULE: cronPattern.default('17 3 * * *'),
    JOB_RATE_LIMIT_REPORT_SCHEDULE: cronPattern.default('*/5 * * * *'),
    JOB_MONITORING_PARTITIONS_SCHEDULE: cronPattern.default('41 2 * * *'),
    JOB_ANALYTICS_VIEWS_SCHEDULE: cronPattern.default('*/15 * * * *'),
    MONITORING_MAX_BATCH: int(1, 10_000).default(1000),
    MONITORING_MAX_PAYLOAD_BYTES: int(256, 1_048_576).default(16_384),
    MONITORING_ANOMALY_FLAG_THRESHOLD: int(1, 10_000).default(5),
    MONITORING_MAX_CLOCK_SKEW_SECONDS: int(1, 86_400).default(300),
    MONITORING_PARTITIONS_AHEAD: int(1, 24).default(2),
    MONITORING_RETENTION_DAYS: int(1, 36_500).default(90),
    ARCHIVE_DIR: z.string().min(1).optional(),
    LIVE_POLL_MS: int(100, 60_000).default(2000),
    LIVE_GATHER_MS: int(0, 1000).default(10),
    SUBSCRIPTION_MAX_LAG: int(1, 10_000_000).default(10_000),
    WEBHOOK_RETRY_SCHEDULE: z
      .string()
      .regex(/^\d{1,6}(,\d{1,6}){0,29}$/, 'must be seconds between tries, comma-separated (e.g. 5,30,120)')
      .default('5,30,120,600,1800,3600,10800,21600,43200'),
    WEBHOOK_TIMEOUT_MS: int(100, 60_000).default(5000),
    WEBHOOK_POLL_MS: int(50, 60_000).default(1000),
    WEBHOOK_ALLOW_PRIVATE_URLS: bool.optional(),
    JOB_MONITORING_RETENTION_SCHEDULE: cronPattern.default('23 4 * * *'),
    JOB_TABLE_VERSIONS_SCHEDULE: cronPattern.default('*/10 * * * *'),
    LLM_TRAIL_RETENTION_DAYS: int(1, 3650).default(7),
    GOVERNANCE_METRICS_INTERVAL: metricsInterval.default(3600),
    GOVERNANCE_METRICS_RETENTION_DAYS: int(1, 36_500).default(730),
    RETENTION_BATCH_SIZE: int(1, 100_000).default(1000),
    STATS_MAX_GROUPS: int(1, 1_000_000).default(10_000),
    BACKUP_DIR: z.string().min(1).optional(),
    BACKUP_SCHEDULE: optionalSchedule.default('30 2 * * *'),
    BACKUP_KEEP: int(1, 10_000).default(7),
    WORKERS: int(1, 64).default(1),
    SHUTDOWN_TIMEOUT_SECONDS: int(1, 600).default(10),
    RESPONSE_CACHE_MB: int(0, 65_536).default(64),
    RESPONSE_CACHE_TTL_SECONDS: int(1, 86_400).default(60),
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    EXPLORER: z.enum(['on', 'off']).optional(),
  });

type Env = z.infer<typeof schema>;

export interface Config {
  env: Env['NODE_ENV'];
  production: boolean;
  host: string;
  port: number;
  databaseUrl?: string;
  dataDir: string;
  embeddedPgPort: number;
  migrateOnStart: boolean;
  db: { poolMax: number; statementTimeoutMs: number };
  jwt: {
    secret?: string;
    issuer: string;
    audience: string;
    accessTtlSeconds: number;
    refreshTtlSeconds: number;
  };
  loginLimits: LoginLimits;
  redisUrl?: string;
  demoPassword: string;
  trustProxy: boolean;
  corsOrigin: string;
  bodyLimit: string;
  /** `jsonDepth` bounds the nesting of request bodies, variables and the document's value literals; `jsonValues` the values a body holds. */
  limits: { depth: number; aliases: number; directives: number; tokens: number; cost: number; jsonDepth: number; jsonValues: number };
  /** x-sql-statements and x-assay-cache on /graphql answers: what a request ran, and whether anything was written. */
  diagnosticHeaders: boolean;
  logLevel: Env['LOG_LEVEL'];
  /** The scheduler: whether this instance runs it, and each job's cron pattern. */
  jobs: {
    enabled: boolean;
    /** null: the job runs only when asked (`assay jobs run`). */
    schedules: { retention: string; rateLimitReport: string; monitoringPartitions: string; analyticsViews: string; monitoringRetention: string; tableVersions: string; backup: string | null };
  };
  monitoring: MonitoringLimits;
  /**
   * Subscriptions: how often each instance reads the flag log even without a wake-up (a
   * lost Redis message, a write by the CLI), and how far behind the log's head a live
   * subscriber may fall before it is closed (it reconnects with its cursor).
   */
  live: { pollMs: number; gatherMs: number; maxLag: number };
  /**
   * Webhook deliveries: seconds to wait before each retry (then it is given up), how long a
   * receiver may take, how often each instance looks for due work, and whether URLs may name
   * loopback and private addresses (off in production unless WEBHOOK_ALLOW_PRIVATE_URLS).
   */
  webhooks: { retrySchedule: number[]; timeoutMs: number; pollMs: number; allowPrivateUrls: boolean };
  /** Governance metric samples older than metricsDays are deleted by the retention job. */
  retention: { llmTrailDays: number; metricsDays: number; batchSize: number };
  /** Seconds each governance metrics sample covers (GOVERNANCE_METRICS_INTERVAL); the job runs a minute after each ends. */
  governanceMetricsIntervalSeconds: number;
  /**
   * Grouped statistics (assessmentStats, attemptStats, monitoringStats): at most maxGroups groups are returned (then `truncated`),
   * and a request whose groups are estimated above it before execution is refused (STATS_MAX_GROUPS).
   */
  stats: { maxGroups: number };
  /** Where createBackup and the backup job write; never chosen by a caller. */
  backupDir: string;
  /** How many backups the backup job leaves in backupDir (the newest). */
  backupKeep: number;
  /** HTTP processes `serve` runs; more than 1 forks workers (node:cluster) beside the primary. */
  workers: number;
  /**
   * How long SIGTERM waits for requests in flight and webhook deliveries before it closes
   * what is left; the process exits within it (plus the database's close).
   */
  shutdownTimeoutMs: number;
  /** Serialized read responses kept per caller and database snapshot; maxBytes 0 turns it off. */
  responseCache: { maxBytes: number; ttlSeconds: number };
  /** The bearer token `/metrics` asks for; without one it answers this host only. */
  metricsToken?: string;
  /** GraphiQL at GET /graphql for browsers: on unless in production (EXPLORER=on|off). */
  explorer: boolean;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const describe = (issue: z.core.$ZodIssue, env: Record<string, string | undefined>): string => {
  const name = String(issue.path[0] ?? 'environment');
  const raw = env[name];
  const got = raw === undefined ? '' : ` (got ${JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw)})`;
  const secret = /SECRET|PASSWORD|URL|TOKEN/.test(name);
  return `${name} ${issue.message}${secret ? '' : got}`;
};

/** Why a process that signs tokens cannot start without JWT_SECRET here, or null when it can. */
export function missingJwtSecret(settings: { secret?: string; production: boolean; databaseUrl?: string }): string | null {
  if (settings.secret) return null;
  if (settings.production) return 'JWT_SECRET is required in production';
  // The embedded default keeps a generated secret in its data folder.
  if (settings.databaseUrl) return 'JWT_SECRET is required when DATABASE_URL is set (at least 32 bytes)';
  return null;
}

/**
 * Parses the environment once; a bad value throws a ConfigError naming the variable.
 * `signsTokens` is false for CLI commands that issue no token: they run with DATABASE_URL alone.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env, options: { signsTokens?: boolean } = {}): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => describe(i, env));
    throw new ConfigError(`Invalid configuration: ${lines.join('; ')}`);
  }
  const e = parsed.data;
  const missing = options.signsTokens === false ? null : missingJwtSecret({ secret: e.JWT_SECRET, production: e.NODE_ENV === 'production', databaseUrl: e.DATABASE_URL });
  if (missing) throw new ConfigError(`Invalid configuration: ${missing}`);
  return {
    env: e.NODE_ENV,
    production: e.NODE_ENV === 'production',
    host: e.HOST,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.ASSAY_DATA_DIR),
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    migrateOnStart: e.MIGRATE_ON_START,
    db: { poolMax: e.DB_POOL_MAX, statementTimeoutMs: e.DB_STATEMENT_TIMEOUT_MS },
    jwt: {
      secret: e.JWT_SECRET,
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
      accessTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
      refreshTtlSeconds: e.REFRESH_TOKEN_TTL_SECONDS,
    },
    loginLimits: {
      perAccount: e.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      perIp: e.LOGIN_MAX_FAILURES_PER_IP,
      windowSeconds: e.LOGIN_FAILURE_WINDOW_SECONDS,
      trustedAddressSeconds: e.LOGIN_TRUSTED_ADDRESS_DAYS * 86_400,
      registrationsPerIp: e.REGISTER_MAX_PER_IP,
      registrationWindowSeconds: e.REGISTER_WINDOW_SECONDS,
    },
    live: { pollMs: e.LIVE_POLL_MS, gatherMs: e.LIVE_GATHER_MS, maxLag: e.SUBSCRIPTION_MAX_LAG },
    webhooks: {
      retrySchedule: e.WEBHOOK_RETRY_SCHEDULE.split(',').map(Number),
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      pollMs: e.WEBHOOK_POLL_MS,
      allowPrivateUrls: e.WEBHOOK_ALLOW_PRIVATE_URLS ?? e.NODE_ENV !== 'production',
    },
    redisUrl: e.REDIS_URL,
    demoPassword: e.DEMO_PASSWORD,
    trustProxy: e.TRUST_PROXY,
    corsOrigin: e.CORS_ORIGIN,
    bodyLimit: e.BODY_LIMIT,
    limits: {
      depth: e.GRAPHQL_MAX_DEPTH,
      aliases: e.GRAPHQL_MAX_ALIASES,
      directives: e.GRAPHQL_MAX_DIRECTIVES,
      tokens: e.GRAPHQL_MAX_TOKENS,
      cost: e.GRAPHQL_MAX_COST,
      jsonDepth: e.JSON_MAX_DEPTH,
      jsonValues: e.JSON_MAX_VALUES,
    },
    diagnosticHeaders: e.DIAGNOSTIC_HEADERS ?? e.NODE_ENV !== 'production',
    logLevel: e.LOG_LEVEL,
    jobs: { enabled: e.JOBS_ENABLED, schedules: {
        retention: e.JOB_RETENTION_SCHEDULE,
        rateLimitReport: e.JOB_RATE_LIMIT_REPORT_SCHEDULE,
        monitoringPartitions: e.JOB_MONITORING_PARTITIONS_SCHEDULE,
        analyticsViews: e.JOB_ANALYTICS_VIEWS_SCHEDULE,
        monitoringRetention: e.JOB_MONITORING_RETENTION_SCHEDULE,
        tableVersions: e.JOB_TABLE_VERSIONS_SCHEDULE,
        backup: e.BACKUP_SCHEDULE,
      },
    },
    monitoring: {
      maxBatch: e.MONITORING_MAX_BATCH,
      maxPayloadBytes: e.MONITORING_MAX_PAYLOAD_BYTES,
      anomalyFlagThreshold: e.MONITORING_ANOMALY_FLAG_THRESHOLD,
      maxClockSkewSeconds: e.MONITORING_MAX_CLOCK_SKEW_SECONDS,
      partitionsAhead: e.MONITORING_PARTITIONS_AHEAD,
      retentionDays: e.MONITORING_RETENTION_DAYS,
      archiveDir: path.resolve(e.ARCHIVE_DIR ?? path.join(e.ASSAY_DATA_DIR, 'archive')),
    },
    retention: { llmTrailDays: e.LLM_TRAIL_RETENTION_DAYS, metricsDays: e.GOVERNANCE_METRICS_RETENTION_DAYS, batchSize: e.RETENTION_BATCH_SIZE },
    governanceMetricsIntervalSeconds: e.GOVERNANCE_METRICS_INTERVAL,
    stats: { maxGroups: e.STATS_MAX_GROUPS },
    backupDir: path.resolve(e.BACKUP_DIR ?? path.join(e.ASSAY_DATA_DIR, 'backups')),
    backupKeep: e.BACKUP_KEEP,
    workers: e.WORKERS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_SECONDS * 1000,
    responseCache: { maxBytes: e.RESPONSE_CACHE_MB * 1024 * 1024, ttlSeconds: e.RESPONSE_CACHE_TTL_SECONDS },
    metricsToken: e.METRICS_TOKEN,
    explorer: e.EXPLORER ? e.EXPLORER === 'on' : e.NODE_ENV !== 'production',
  };
}
