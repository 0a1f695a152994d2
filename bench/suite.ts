/**
 * Every benchmark scenario of the earlier issues, one after another (each alone on the
 * machine), each beside its baseline in the same run, and one report of the ratios:
 *
 *   npm run bench                      # generates the 10-million-event data (and the 2 million assessments) when missing
 *   BENCH_FRESH=1 npm run bench        # generates it again first
 *   BENCH_ONLY=page,auth npm run bench # some scenarios only
 *
 * Each scenario is its own script (they still run alone: `npm run bench:page`, …); here each
 * runs in a child process with BENCH_REPORT set, appends its comparisons to that file
 * (bench/lib/report.ts), and writes its full output to a log beside the report, under
 * bench/results/<UTC time>/. The report is printed at the end: machine, commit, date,
 * command, then the table, ratios first.
 */
import { spawn, execFileSync } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { machine } from './lib/load';
import { readReport, renderReport } from './lib/report';
import { assessmentsPresent } from './stats/common';

interface Scenario {
  name: string;
  script: string;
  /** What it measures against what, for the progress line. */
  what: string;
  env?: Record<string, string>;
  /** 'stats data' is the monitoring data plus the issue-18 assessments. */
  needs?: 'monitoring data' | 'stats data' | 'redis';
}

const MONITORING_DATABASE_URL = process.env.BENCH_MONITORING_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/assay_bench_monitoring';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

const SCENARIOS: Scenario[] = [
  { name: 'page', script: 'page/run.ts', what: 'the page of 50 assessments against one hand-written SQL statement' },
  { name: 'auth', script: 'auth/me.ts', what: '`{ me { id } }` against plain Apollo' },
  {
    name: 'dashboards',
    script: 'exams/run.ts',
    what: 'dashboards and exam analytics, executed, against the issue’s aims',
    env: { BENCH_DATABASE_URL: MONITORING_DATABASE_URL, RESPONSE_CACHE_MB: '0', BENCH_CONNECTIONS: '10', BENCH_DURATION: '10' },
    needs: 'monitoring data',
  },
  { name: 'proctoring-reads', script: 'monitoring/reads.ts', what: 'timeline, alerts and reports at 10 million events', env: { BENCH_DATABASE_URL: MONITORING_DATABASE_URL }, needs: 'monitoring data' },
  { name: 'ingestion', script: 'monitoring/ingest.ts', what: 'recordMonitoringEvents against binary COPY and INSERT', env: { BENCH_DATABASE_URL: MONITORING_DATABASE_URL }, needs: 'monitoring data' },
  {
    name: 'stats',
    script: 'stats/run.ts',
    what: 'grouped analytics over 2 million assessments against the same GROUP BY by hand, request by request',
    env: { BENCH_DATABASE_URL: MONITORING_DATABASE_URL },
    needs: 'stats data',
  },
  { name: 'cache', script: 'cache/run.ts', what: 'the cached page with and without writes elsewhere' },
  { name: 'abuse', script: 'abuse/run.ts', what: 'a legitimate client alone and beside hostile traffic' },
  {
    name: 'live',
    script: 'live/run.ts',
    what: 'subscription fan-out and webhooks against a bare fan-out, A B A B',
    env: { BENCH_DATABASE_URL: MONITORING_DATABASE_URL, BENCH_SERVER: 'assay,bare,assay,bare', BENCH_REDIS_URL: REDIS_URL },
    needs: 'redis',
  },
];

const only = process.env.BENCH_ONLY?.split(',');
const chosen = SCENARIOS.filter((s) => !only || only.includes(s.name));
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const folder = path.join(__dirname, 'results', stamp);
const reportFile = path.join(folder, 'report.jsonl');

/** Runs a bench script in its own process, its output into `log`; rejects when it fails. */
function runScript(script: string, env: Record<string, string>, log: string): Promise<void> {
  const { BENCH_DATABASE_URL: _inherited, ...inherited } = process.env;
  const child = spawn(process.execPath, ['-r', '@swc-node/register', path.join(__dirname, script)], {
    env: { ...inherited, ...env, BENCH_REPORT: reportFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = createWriteStream(log);
  child.stdout.pipe(out, { end: false });
  child.stderr.pipe(out, { end: false });
  return new Promise((resolve, reject) =>
    // 'close', not 'exit': the child's output may still be in flight when it exits.
    child.on('close', (code) => {
      out.end();
      if (code === 0) resolve();
      else reject(new Error(`${script} exited with ${code}; see ${log}`));
    }),
  );
}

async function monitoringDataPresent(): Promise<boolean> {
  const db = new Client({ connectionString: MONITORING_DATABASE_URL });
  try {
    await db.connect();
    return (await db.query(`select to_regclass('monitoring_events') is not null and exists (select 1 from monitoring_events) as present`)).rows[0].present as boolean;
  } catch {
    return false;
  } finally {
    await db.end().catch(() => undefined);
  }
}

async function statsDataPresent(): Promise<boolean> {
  const db = new Client({ connectionString: MONITORING_DATABASE_URL });
  try {
    await db.connect();
    return await assessmentsPresent(db);
  } catch {
    return false;
  } finally {
    await db.end().catch(() => undefined);
  }
}

async function redisAnswers(): Promise<boolean> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2000 });
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

const seconds = (since: number) => `${Math.round((Date.now() - since) / 1000)} s`;

async function main() {
  mkdirSync(folder, { recursive: true });
  writeFileSync(reportFile, '');
  const started = Date.now();
  const skipped: string[] = [];
  const failed: string[] = [];
  const needsMonitoring = chosen.some((s) => s.needs === 'monitoring data' || s.needs === 'stats data');
  if (needsMonitoring && (process.env.BENCH_FRESH === '1' || !(await monitoringDataPresent()))) {
    console.log(`generating the benchmark data (10 million events, about 5 minutes) into ${MONITORING_DATABASE_URL}`);
    const at = Date.now();
    await runScript('monitoring/generate.ts', { BENCH_DATABASE_URL: MONITORING_DATABASE_URL }, path.join(folder, 'generate.log'));
    console.log(`  done in ${seconds(at)}`);
  }
  // Added to the monitoring data on their own, so data generated before issue 18 keeps its events.
  if (chosen.some((s) => s.needs === 'stats data') && !(await statsDataPresent())) {
    console.log(`adding 2 million assessments (about 2.5 minutes) to ${MONITORING_DATABASE_URL}`);
    const at = Date.now();
    await runScript('stats/generate.ts', { BENCH_DATABASE_URL: MONITORING_DATABASE_URL }, path.join(folder, 'generate-stats.log'));
    console.log(`  done in ${seconds(at)}`);
  }
  const redis = await redisAnswers();
  for (const scenario of chosen) {
    if (scenario.needs === 'redis' && !redis) {
      skipped.push(`${scenario.name}: no Redis answers at ${REDIS_URL} (BENCH_REDIS_URL)`);
      continue;
    }
    console.log(`${scenario.name}: ${scenario.what}`);
    const at = Date.now();
    try {
      await runScript(scenario.script, scenario.env ?? {}, path.join(folder, `${scenario.name}.log`));
      console.log(`  done in ${seconds(at)}`);
    } catch (error) {
      // The other scenarios still run: one failure should not cost the whole report.
      failed.push(`${scenario.name}: ${error instanceof Error ? error.message : String(error)}`);
      console.log(`  FAILED after ${seconds(at)}`);
    }
  }
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: __dirname }).toString().trim();
  const header = [
    `Measured ${new Date(started).toISOString()} to ${new Date().toISOString()}, commit \`${commit}\`, by \`${['npm run bench', only ? `(BENCH_ONLY=${only.join(',')})` : ''].join(' ').trim()}\`.`,
    `Machine: ${JSON.stringify(machine())}.`,
    ...skipped.map((reason) => `Skipped ${reason}.`),
    ...failed.map((reason) => `Failed ${reason}.`),
  ].join('\n');
  const markdown = `${header}\n\n${renderReport(readReport(reportFile))}\n`;
  writeFileSync(path.join(folder, 'report.md'), markdown);
  console.log(`\n${markdown}\nEach scenario's full output: ${folder}`);
  if (failed.length) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
