import { commandGroup, VERIFY_DESCRIPTION } from './command-group';
import { Option, type Command } from 'commander';
import type { Config } from '../config';
import { ON_DUPLICATE } from '../services/transfer/import';
import { processIo } from './assessment-io';
import { exportCommand } from './export';
import { importCommand } from './import';
import { verifyAssessmentsCommand } from './verify';
import { commandConfig } from './with-database';

const run =
  <O>(command: (config: Config, options: O, io: typeof processIo) => Promise<number>) =>
  async (options: O) => {
    process.exitCode = await command(commandConfig(), options, processIo);
  };

/** `export`, `import` and `verify assessments`; each needs DATABASE_URL. */
export function registerAssessmentCommands(program: Command): void {
  program
    .command('export')
    .description('stream assessments with their evidence to a file (JSON Lines, or a JSON array) plus a manifest')
    .requiredOption('--output <file>', 'file to write; the manifest goes to <file>.manifest.json')
    .addOption(new Option('--format <format>', 'jsonl: one assessment a line; json: an array').choices(['jsonl', 'json']).default('jsonl'))
    .option('--student <id>', "only this student's assessments")
    .option('--skill <type...>', 'only these skill types (repeat, or comma-separate)')
    .option('--from <date>', 'created at or after')
    .option('--to <date>', 'created before')
    .action(run(exportCommand));

  program
    .command('import')
    .description('validate every record of an export file, then write it in batches, keeping ids and timestamps')
    .requiredOption('--input <file>', 'a file written by export (JSON Lines or a JSON array)')
    .addOption(new Option('--on-duplicate <mode>', 'when an id is already stored').choices([...ON_DUPLICATE]).default('error'))
    .option('--dry-run', 'validate and count, write nothing')
    .action(run(importCommand));

  commandGroup(program, 'verify', VERIFY_DESCRIPTION)
    .command('assessments')
    .description('check scores, coverage of primary skills, evidence, timestamps; exit 2 when findings remain')
    .option('--fix-orphans', 'delete evidence whose assessment no longer exists')
    .option('--dry-run', 'with --fix-orphans: report what would be deleted')
    .option('--limit <n>', 'rows listed per check', '20')
    .option('--json', 'print the report as JSON')
    .action(run(verifyAssessmentsCommand));
}
