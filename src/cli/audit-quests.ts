import { Command } from 'commander';
import { openDatabase } from '../app';
import type { Config } from '../config';
import { User } from '../entities';
import { CATEGORY_LABELS } from '../services/quest-consistency/categories';
import { QuestConsistencyService, type ConsistencyReport, type NamedFinding } from '../services/quest-consistency/quest-consistency.service';
import { systemSource } from '../services/audit.service';
import { configured } from './with-database';

/** Exit codes of `assay audit quests` (also in the README). */
export const AUDIT_EXIT = { CLEAN: 0, ERROR: 1, FINDINGS: 2, FINDINGS_AFTER_FIX: 3 } as const;

interface AuditOptions {
  user?: string;
  detailed?: boolean;
  fix?: boolean;
  dryRun?: boolean;
}

const who = (f: NamedFinding) => `${f.username ?? 'unknown user'} (${f.userId})`;

function findingLines(f: NamedFinding): string[] {
  return [
    `  [${f.category}] quest "${f.questTitle}" (${f.questId}, created ${f.questCreatedAt.toISOString()})`,
    `      user ${who(f)}, at ${f.occurredAt.toISOString()}: ${f.detail}`,
    `      repair: ${f.repair.action}: ${f.repairDescription}`,
  ];
}

function summary(report: ConsistencyReport, scope: string): string[] {
  const total = report.findings.length;
  return [
    `Quest consistency audit (${scope}): ${report.questsChecked} quests checked, ${total} finding${total === 1 ? '' : 's'}`,
    ...report.counts.map((c) => `  ${String(c.count).padStart(5)}  ${CATEGORY_LABELS[c.category]}`),
  ];
}

async function auditQuests(config: Config, options: AuditOptions): Promise<void> {
  // Like migrate and seed: starting the embedded database here would stop a running server's.
  if (!config.databaseUrl) throw new Error('audit quests needs DATABASE_URL');
  const db = await openDatabase(config);
  const print = (lines: string[]) => process.stdout.write(`${lines.join('\n')}\n`);
  try {
    const em = db.orm.em.fork();
    let userId: string | null = null;
    if (options.user) {
      const user = await em.findOne(User, { username: { $ilike: options.user.replace(/[\\%_]/g, (c) => `\\${c}`) } });
      if (!user) throw new Error(`no user named ${options.user}`);
      userId = user.id;
    }
    const scope = options.user ? `user ${options.user}` : 'all users';
    const service = new QuestConsistencyService();
    const report = await service.report(em, userId);
    print(summary(report, scope));
    if (report.findings.length === 0) return;

    if (options.dryRun || !options.fix) {
      if (options.detailed || options.dryRun) print(report.findings.flatMap(findingLines));
      if (options.dryRun) print([`Dry run: the ${report.findings.length} repairs above would be applied in one transaction; nothing was written.`]);
      process.exitCode = AUDIT_EXIT.FINDINGS;
      return;
    }
    const outcome = await service.repair(em, { dryRun: false, userId }, systemSource('assay audit quests --fix'));
    print([`Applied ${outcome.repairs.length} repairs in one transaction, each recorded in the audit log (REPAIR):`]);
    print(outcome.repairs.flatMap(findingLines));
    print(['Audit after the repairs:', ...summary(outcome.after!, scope)]);
    if (outcome.after!.findings.length > 0) process.exitCode = AUDIT_EXIT.FINDINGS_AFTER_FIX;
  } finally {
    await db.close();
  }
}

/** `assay audit quests`: the consistency audit of quests, applications and participants. */
export function auditQuestsCommand(): Command {
  return new Command('quests')
    .description('check quests, applications and participants for drift; repair it with --fix')
    .option('--user <username>', 'only quests this user created, is assigned, applied to or takes part in')
    .option('--detailed', 'list every finding with its user, quest, dates and repair')
    .option('--fix', 'apply every repair in one transaction, record each in the audit log, then audit again')
    .option('--dry-run', 'list the exact repairs --fix would apply, and write nothing')
    .addHelpText('after', '\nExit codes: 0 no findings (or all repaired), 1 error, 2 findings, 3 findings left after --fix.')
    .action(configured((config, options: AuditOptions) => auditQuests(config, options)));
}
