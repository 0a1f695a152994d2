import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Config } from '../config';
import { appendGovernanceMetrics, metricSamples, type MetricSample } from '../services/governance-metric.service';
import { commandGroup } from './command-group';
import { configured, out, withDatabase } from './with-database';

function time(value: string, name: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new Error(`${name} must be a date and time, e.g. 2026-11-21T00:00:00Z`);
  return date;
}

/** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. No CSV library is a dependency, and this is all writing needs. */
const csvField = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

export const CSV_HEADER = ['metric', 'dimension', 'dimension_value', 'interval_start', 'interval_end', 'value'];

export const csvLine = (s: MetricSample) =>
  [s.name, s.dimension, s.dimensionValue, s.intervalStart.toISOString(), s.intervalEnd.toISOString(), s.value].map(csvField).join(',');

const describe = (s: MetricSample) =>
  `${s.intervalStart.toISOString()} ${s.intervalEnd.toISOString()} ${s.name}${s.dimension ? ` ${s.dimension}=${s.dimensionValue || '(none)'}` : ''} ${s.value}`;

async function snapshotCommand(config: Config): Promise<void> {
  await withDatabase(config, 'metrics snapshot', async (db) => {
    const samples = await appendGovernanceMetrics(db.orm.em.fork(), { strideSeconds: config.governanceMetricsIntervalSeconds, until: 'now' });
    for (const s of samples) out(describe(s));
    out(samples.length ? `Wrote ${samples.length} sample(s)` : 'Nothing to sample: the last sample already ends now');
  });
}

async function exportCommand(config: Config, options: { from: string; to: string; output: string }): Promise<void> {
  const from = time(options.from, '--from');
  const to = time(options.to, '--to');
  await withDatabase(config, 'metrics export', async (db) => {
    const samples = await metricSamples(db.orm.em.fork(), from, to);
    await writeFile(options.output, [CSV_HEADER.join(','), ...samples.map(csvLine)].map((l) => `${l}\r\n`).join(''));
    out(`Wrote ${samples.length} sample(s) to ${options.output}`);
  });
}

/** `assay metrics snapshot`, `assay metrics export --from --to --output`. */
export function registerMetricsCommands(program: Command): void {
  const group = commandGroup(program, 'metrics', 'the governance metrics history (GOVERNANCE_METRICS_INTERVAL)');
  group
    .command('snapshot')
    .description('sample the live tables now, from the end of the last sample, and print what was written')
    .action(configured(snapshotCommand));
  group
    .command('export')
    .description('write the samples whose interval starts in [--from, --to) to a CSV file, for a compliance review')
    .requiredOption('--from <time>', 'samples starting at or after this time, e.g. 2026-11-01T00:00:00Z')
    .requiredOption('--to <time>', 'samples starting before this time')
    .requiredOption('--output <file>', 'the CSV file to write (header row, ISO 8601 UTC times)')
    .action(configured((config, options: { from: string; to: string; output: string }) => exportCommand(config, options)));
}
