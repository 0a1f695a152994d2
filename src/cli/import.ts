import { access } from 'node:fs/promises';
import type { Config } from '../config';
import { systemSource } from '../services/audit.service';
import { importAssessments, type OnDuplicate } from '../services/transfer/import';
import { EXIT, processIo, withKnex, type CliIo } from './assessment-io';

export interface ImportCommandOptions {
  input: string;
  onDuplicate: OnDuplicate;
  dryRun?: boolean;
}

/** Exit 0 when every record was accepted, 2 when any was rejected (then nothing is written). */
export async function importCommand(config: Config, options: ImportCommandOptions, io: CliIo = processIo): Promise<number> {
  await access(options.input).catch(() => {
    throw new Error(`--input ${options.input} cannot be read`);
  });
  const report = await withKnex(config, 'import', (knex) =>
    importAssessments(knex, {
      input: options.input,
      onDuplicate: options.onDuplicate,
      dryRun: options.dryRun,
      audit: systemSource('assay import'),
    }),
  );
  for (const problem of report.problems) io.err.write(`${problem.location}: ${problem.message}\n`);
  if (report.rejected > report.problems.length) io.err.write(`… and ${report.rejected - report.problems.length} more\n`);
  const counts = `inserted ${report.inserted}, updated ${report.updated}, skipped ${report.skipped}, rejected ${report.rejected}`;
  if (report.rejected > 0) {
    io.out.write(`${report.records} records read (${report.format}); ${counts}. Nothing was written.\n`);
    return EXIT.findings;
  }
  const mode = report.dryRun ? 'Dry run, nothing written: would have ' : '';
  io.out.write(
    `${report.records} records read (${report.format}); ${mode}${counts}` +
      `${report.dryRun ? '' : `; ${report.evidenceWritten} evidence rows written in ${report.batches} batch(es)`}.\n`,
  );
  return EXIT.ok;
}
