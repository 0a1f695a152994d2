import type { Command } from 'commander';
import type { Config } from '../config';
import { systemSource } from '../services/audit.service';
import { applyMonitoringRetention } from '../services/monitoring/retention.service';
import { commandGroup } from './command-group';
import { configured, out, withDatabase } from './with-database';

/** `assay monitoring archive|prune [--dry-run]`: the retention job's work, by hand. */
export function registerMonitoringCommands(program: Command): void {
  const group = commandGroup(program, 'monitoring', 'archive and drop monitoring-event partitions past MONITORING_RETENTION_DAYS');
  const run = (drop: boolean) =>
    configured(async (config: Config, options: { dryRun?: boolean }) =>
      withDatabase(config, `monitoring ${drop ? 'prune' : 'archive'}`, async (db) => {
        const outcomes = await applyMonitoringRetention(db.orm.em.fork(), {
          retentionDays: config.monitoring.retentionDays,
          archiveDir: config.monitoring.archiveDir,
          drop,
          dryRun: options.dryRun ?? false,
          source: systemSource(`assay monitoring ${drop ? 'prune' : 'archive'}`),
        });
        if (outcomes.length === 0) out(`No monitoring partition is older than ${config.monitoring.retentionDays} days`);
        for (const o of outcomes) out(`${o.partition} (${o.from.slice(0, 7)}): ${o.rows} rows, ${o.action}${o.file ? ` (${o.file})` : ''}`);
      }),
    );
  group
    .command('archive')
    .description(`write each expired partition to a gzip JSON Lines archive in ARCHIVE_DIR, with its manifest`)
    .option('--dry-run', 'say what would be archived, change nothing')
    .action(run(false));
  group
    .command('prune')
    .description('archive each expired partition (unless a matching archive exists), then drop it')
    .option('--dry-run', 'say what would be dropped, change nothing')
    .action(run(true));
}
