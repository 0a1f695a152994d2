import type { Config } from '../config';
import { SkillType } from '../entities/skill';
import { systemSource } from '../services/audit.service';
import { exportAssessments } from '../services/transfer/export';
import { isUuid } from '../services/uuid';
import type { TransferFormat } from '../services/transfer/read-records';
import { EXIT, processIo, withKnex, type CliIo } from './assessment-io';

export interface ExportCommandOptions {
  output: string;
  format?: TransferFormat;
  student?: string;
  skill?: string[];
  from?: string;
  to?: string;
}

function parseDate(flag: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new Error(`${flag} ${JSON.stringify(value)} is not a date (use e.g. 2026-01-31 or 2026-01-31T08:00:00Z)`);
  return date;
}

/** `--skill` may repeat and may list several, comma-separated. */
function parseSkills(values: string[] | undefined): SkillType[] | undefined {
  if (!values?.length) return undefined;
  const skills = values.flatMap((v) => v.split(',')).map((v) => v.trim().toUpperCase());
  const unknown = skills.filter((s) => !(Object.values(SkillType) as string[]).includes(s));
  if (unknown.length) throw new Error(`--skill ${unknown.join(', ')} is not a skill type (one of ${Object.values(SkillType).join(', ')})`);
  return skills as SkillType[];
}

export async function exportCommand(config: Config, options: ExportCommandOptions, io: CliIo = processIo): Promise<number> {
  if (options.student !== undefined && !isUuid(options.student)) throw new Error(`--student ${JSON.stringify(options.student)} is not a UUID`);
  const filter = {
    studentId: options.student,
    skillTypes: parseSkills(options.skill),
    from: parseDate('--from', options.from),
    to: parseDate('--to', options.to),
  };
  const result = await withKnex(config, 'export', (knex) =>
    exportAssessments(knex, { output: options.output, format: options.format ?? 'jsonl', filter, audit: systemSource('assay export') }),
  );
  io.out.write(
    `Exported ${result.counts.assessments} assessments with ${result.counts.evidence} evidence rows to ${result.path} ` +
      `(${result.format}, ${result.bytes} bytes)\nSHA-256 ${result.sha256}\nManifest ${result.manifestPath}\n`,
  );
  return EXIT.ok;
}
