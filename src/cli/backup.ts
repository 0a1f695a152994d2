import path from 'node:path';
import type { Command } from 'commander';
import type { Config } from '../config';
import { BackupService, type StoredBackup } from '../services/backup.service';
import { verifyExport } from '../services/transfer/verify-export';
import { EXIT } from './assessment-io';
import { commandGroup } from './command-group';
import { configured, out } from './with-database';

const manifestState = (b: StoredBackup) => (b.manifest ? 'yes' : b.manifestProblem ? `unreadable (${b.manifestProblem})` : 'missing');

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  '));
}

export async function listBackupsCommand(config: Config): Promise<void> {
  const backups = await new BackupService(config.backupDir).list();
  if (backups.length === 0) {
    out(`No backups in ${config.backupDir}`);
    return;
  }
  out(`${backups.length} backup(s) in ${config.backupDir}, newest first:`);
  const rows = backups.map((b) => [
    b.fileName,
    b.createdAt.toISOString(),
    String(b.manifest?.counts.assessments ?? '-'),
    String(b.manifest?.counts.evidence ?? '-'),
    String(b.bytes),
    b.manifest ? b.manifest.sha256.slice(0, 12) : '-',
    manifestState(b),
  ]);
  for (const line of table([['file', 'created', 'assessments', 'evidence', 'bytes', 'sha256', 'manifest'], ...rows])) out(line);
}

/** A bare name is a backup in BACKUP_DIR; anything with a folder in it is a path, taken as given. */
const backupPath = (config: Config, file: string) => (path.basename(file) === file ? path.join(config.backupDir, file) : path.resolve(file));

export async function verifyBackupCommand(config: Config, file: string): Promise<void> {
  const target = backupPath(config, file);
  const check = await verifyExport(target);
  const { actual } = check;
  if (check.ok) {
    out(`OK ${target}: ${actual.assessments} assessments, ${actual.evidence} evidence, ${actual.bytes} bytes, SHA-256 ${actual.sha256}, as its manifest says`);
    return;
  }
  for (const m of check.mismatches) out(`MISMATCH ${m.field}: the manifest says ${m.manifest}, the file has ${m.actual}`);
  if (check.unreadable.length > 0) out(`UNREADABLE ${check.unreadable.length} record(s) are not JSON: ${check.unreadable.slice(0, 10).join(', ')}${check.unreadable.length > 10 ? ', …' : ''}`);
  out(`FAILED ${target} does not match its manifest: changed, cut short or not the file it describes`);
  process.exitCode = EXIT.findings;
}

/** `backup list`, `backup verify FILE`: they read BACKUP_DIR only, so they need no database. */
export function registerBackupCommands(program: Command): void {
  const group = commandGroup(program, 'backup', 'the backups the backup job and createBackup write to BACKUP_DIR');
  group.command('list').description('list the backups in BACKUP_DIR, newest first, with what their manifests say').action(configured(listBackupsCommand));
  group
    .command('verify <file>')
    .description('recompute a backup\'s SHA-256, size and record counts and compare them with its manifest; exit 2 naming each mismatch')
    .addHelpText('after', '\nA bare file name is looked up in BACKUP_DIR; a path is used as given.')
    .action(configured((config, file: string) => verifyBackupCommand(config, file)));
}
