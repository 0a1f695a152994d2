import { commandGroup, VERIFY_DESCRIPTION } from './command-group';
import { configured, out, withDatabase } from './with-database';
import { appendFile, readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Config } from '../config';
import { JobRunStatus, JobTrigger } from '../entities/job-run.entity';
import { findJob, scheduledJobs } from '../jobs/registry';
import { runJob } from '../jobs/runner';
import { verifyAuditChain, type AuditAnchor, type AuditRange, type AuditVerification } from '../services/audit-verify.service';

function time(value: string | undefined, name: string): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new Error(`${name} must be a date and time, e.g. 2026-11-21T00:00:00Z`);
  return date;
}

function seq(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value) || Number(value) < 1) throw new Error(`${name} must be a whole number of at least 1`);
  return Number(value);
}

/** Anchor lines are `<seq> <hash> …`, as `assay audit-log anchor --file` writes them; other lines are ignored. */
export async function readAnchors(file: string): Promise<AuditAnchor[]> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  return text
    .split('\n')
    .map((line) => /^(\d+) ([0-9a-f]{64})\b/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ seq: Number(m[1]), hash: m[2] }));
}

export const anchorLine = (v: AuditVerification, at = new Date()) =>
  `${v.latestSeq} ${v.latestHash} ${v.latestCreatedAt.toISOString()} anchored ${at.toISOString()}`;

function report(v: AuditVerification) {
  if (v.intact) out(`Audit log intact: entries ${v.fromSeq} to ${v.toSeq} (${v.entriesChecked} checked)`);
  else out(`Audit log BROKEN at seq ${v.firstBrokenSeq} (${v.problem}): ${v.message}`);
  out(`Latest entry: seq ${v.latestSeq} hash ${v.latestHash} at ${v.latestCreatedAt.toISOString()}`);
  if (!v.intact) process.exitCode = 1;
}

interface VerifyOptions {
  from?: string;
  to?: string;
  fromSeq?: string;
  toSeq?: string;
  anchors?: string;
}

export async function verifyAuditLogCommand(config: Config, options: VerifyOptions): Promise<void> {
  const range: AuditRange = {
    from: time(options.from, '--from'),
    to: time(options.to, '--to'),
    fromSeq: seq(options.fromSeq, '--from-seq'),
    toSeq: seq(options.toSeq, '--to-seq'),
  };
  const anchors = options.anchors ? await readAnchors(options.anchors) : [];
  await withDatabase(config, 'verify audit-log', async (db) => report(await verifyAuditChain(db.orm.em.fork(), range, anchors)));
}

/**
 * Prints the latest (seq, hash), or appends it to a file. With a file, the chain is
 * verified from the last anchor in it (which must still match) to the end first, so each
 * anchor vouches for everything before it; a broken chain is reported, not anchored.
 */
export async function anchorAuditLogCommand(config: Config, options: { file?: string }): Promise<void> {
  const last = options.file ? (await readAnchors(options.file)).at(-1) : undefined;
  await withDatabase(config, 'audit-log anchor', async (db) => {
    const verification = await verifyAuditChain(db.orm.em.fork(), { fromSeq: last?.seq ?? 1 }, last ? [last] : []);
    if (!verification.intact) return report(verification);
    const line = anchorLine(verification);
    if (options.file) {
      await appendFile(options.file, `${line}\n`);
      out(`Anchored seq ${verification.latestSeq} in ${options.file} (verified from seq ${verification.fromSeq})`);
    } else {
      out(line);
    }
  });
}

export async function runJobCommand(config: Config, name: string): Promise<void> {
  const job = findJob(config, name);
  await withDatabase(config, 'jobs run', async (db) => {
    const run = await runJob(db.orm, config, job, JobTrigger.CLI);
    if (!run) throw new Error(`job ${name} is running on another instance; try again later`);
    const took = run.finishedAt!.getTime() - run.startedAt.getTime();
    out(`Job ${name} ${run.status} in ${took} ms: ${run.rowsAffected ?? 0} row(s) affected (run ${run.id})`);
    if (run.status === JobRunStatus.FAILED) {
      out(`Error: ${run.error}`);
      process.exitCode = 1;
    }
  });
}

export function listJobsCommand(config: Config): Promise<void> {
  for (const job of scheduledJobs(config)) out(`${job.name}\t${job.schedule ?? 'off'}\t${job.description}`);
  return Promise.resolve();
}

/** `verify audit-log`, `audit-log anchor`, `jobs list`, `jobs run <name>`. */
export function registerGovernanceCommands(program: Command): void {
  commandGroup(program, 'verify', VERIFY_DESCRIPTION)
    .command('audit-log')
    .description('recompute the audit hash chain; exit 1 and name the first broken seq if it was tampered with')
    .option('--from <time>', 'check entries created at or after this time')
    .option('--to <time>', 'check entries created before this time')
    .option('--from-seq <n>', 'check from this seq (instead of --from)')
    .option('--to-seq <n>', 'check up to this seq (instead of --to)')
    .option('--anchors <file>', 'also check every (seq, hash) anchored in this file')
    .action(configured((config, options: VerifyOptions) => verifyAuditLogCommand(config, options)));

  program
    .command('audit-log')
    .description('audit log upkeep')
    .command('anchor')
    .description('print the latest seq and hash, or verify from the last anchor and append them to --file')
    .option('--file <path>', 'append the anchor to this file')
    .action(configured((config, options: { file?: string }) => anchorAuditLogCommand(config, options)));

  const jobs = program.command('jobs').description('scheduled jobs');
  jobs.command('list').description('list the jobs and their schedules').action(configured(listJobsCommand));
  jobs
    .command('run <name>')
    .description('run a job once now (skipped if another instance is running it), and record the run')
    .action(configured((config, name: string) => runJobCommand(config, name)));
}
