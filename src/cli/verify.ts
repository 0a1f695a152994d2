import type { Config } from '../config';
import { verifyAssessments } from '../services/integrity.service';
import { EXIT, processIo, withKnex, type CliIo } from './assessment-io';

export interface VerifyCommandOptions {
  fixOrphans?: boolean;
  dryRun?: boolean;
  limit?: string;
  json?: boolean;
}

/** Exit 0 when clean (or every finding was fixed), 2 when findings remain. */
export async function verifyAssessmentsCommand(config: Config, options: VerifyCommandOptions, io: CliIo = processIo): Promise<number> {
  const limit = options.limit === undefined ? 20 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new Error('--limit must be a positive whole number');
  const report = await withKnex(config, 'verify assessments', (knex) =>
    verifyAssessments(knex, { limit, fixOrphans: options.fixOrphans, dryRun: options.dryRun }),
  );
  if (options.json) {
    io.out.write(`${JSON.stringify(report, null, 2)}\n`);
    return report.ok ? EXIT.ok : EXIT.findings;
  }
  for (const result of report.checks) {
    io.out.write(`${result.count === 0 ? 'ok  ' : 'FAIL'} ${result.check}: ${result.description}${result.count ? ` (${result.count})` : ''}\n`);
    for (const f of result.findings) io.out.write(`       ${f.table} ${f.id}: ${f.detail}\n`);
    if (result.count > result.findings.length) io.out.write(`       … and ${result.count - result.findings.length} more\n`);
  }
  if (options.fixOrphans && report.orphansFixed > 0) {
    io.out.write(`${options.dryRun ? 'Would delete' : 'Deleted'} ${report.orphansFixed} orphaned evidence row(s)\n`);
  }
  io.out.write(report.findingCount === 0 ? 'No findings\n' : `${report.findingCount} finding(s)${report.ok ? ', all fixed' : ''}\n`);
  return report.ok ? EXIT.ok : EXIT.findings;
}
