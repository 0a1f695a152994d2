import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const BIN = path.resolve(__dirname, '../../bin/assay.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Environment for a child CLI: ours without anything that would point it at another database. */
export function cliEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent' };
  for (const name of ['DATABASE_URL', 'JWT_SECRET', 'REDIS_URL', 'PORT', 'VITEST', 'VITEST_POOL_ID', 'VITEST_WORKER_ID']) delete env[name];
  return { ...env, ...extra };
}

/** Runs a process to completion and collects what it printed (rejects after `timeoutMs`). */
export function runProcess(
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; onStart?: (child: ChildProcess) => void },
): Promise<CliRun> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env, cwd: options.cwd });
    options.onStart?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${path.basename(command)} ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs `assay <args>` to completion; `onStart` gets the process (to signal it). */
export const runCli = (args: string[], env: Record<string, string> = {}, timeoutMs = 60_000, onStart?: (child: ChildProcess) => void): Promise<CliRun> =>
  runProcess(process.execPath, [BIN, ...args], { env: cliEnv(env), timeoutMs, onStart });

/** Runs `assay <args>` as an operator would, with DATABASE_URL alone: only serve needs JWT_SECRET. */
export const runCliOn = (databaseUrl: string, args: string[], env: Record<string, string> = {}) => runCli(args, { DATABASE_URL: databaseUrl, ...env });

/** Longer than the primary's grace for its workers (15 s) and PostgreSQL's fast shutdown together. */
const STOP_WAIT_MS = 45_000;

export interface Served {
  pid: number;
  output: () => string;
  /** Resolves with the exit code once the process has exited (null when a signal ended it). */
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

/** Starts `assay serve` and resolves once it prints that it is ready; what it printed is in every error. */
export function serveCli(env: Record<string, string>, timeoutMs = 90_000): Promise<Served> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve'], { env: cliEnv(env) });
    let output = '';
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`assay serve was not ready in ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      output += d.toString();
      if (output.includes('Assay ready at') && output.includes('Database:')) {
        clearTimeout(timer);
        resolve({
          pid: child.pid!,
          output: () => output,
          exited,
          stop: () => {
            child.kill('SIGTERM');
            return Promise.race([
              exited,
              new Promise<never>((_resolve, rejectStop) =>
                setTimeout(() => {
                  child.kill('SIGKILL');
                  rejectStop(new Error(`assay serve did not stop within ${STOP_WAIT_MS} ms of SIGTERM:\n${output}`));
                }, STOP_WAIT_MS).unref(),
              ),
            ]);
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`assay serve exited with ${code} before it was ready:\n${output}`));
    });
  });
}
