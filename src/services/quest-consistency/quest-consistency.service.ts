import type { EntityManager } from '@mikro-orm/postgresql';
import { AuditAction } from '../../entities/audit-action';
import { appendAudit, type AuditSource } from '../audit.service';
import { applyRepair } from './apply';
import { QuestFindingCategory } from './categories';
import { checkQuest, type Finding } from './check';
import { BATCH_SIZE, loadSnapshots, questIdsInScope, usernames } from './snapshot';

export interface NamedFinding extends Finding {
  username: string | null;
}

export interface ConsistencyReport {
  checkedAt: Date;
  userId: string | null;
  questsChecked: number;
  findings: NamedFinding[];
  counts: { category: QuestFindingCategory; count: number }[];
}

export interface RepairOutcome {
  dryRun: boolean;
  /** The findings and their repairs: planned on a dry run, applied otherwise. */
  repairs: NamedFinding[];
  /** The audit run again after the repairs committed; null on a dry run. */
  after: ConsistencyReport | null;
}

const chunks = <T>(items: T[], size: number) =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/**
 * The quest consistency audit shared by `assay audit quests` and the admin GraphQL
 * operations: `report` reads, `repair` plans the same repairs and, unless it is a dry
 * run, applies them all in one transaction with an audit entry each.
 */
export class QuestConsistencyService {
  async report(em: EntityManager, userId: string | null = null): Promise<ConsistencyReport> {
    // A fork of its own: the batches are cleared from it as they are checked.
    const reader = em.fork();
    const ids = await questIdsInScope(reader, userId);
    const findings: Finding[] = [];
    for (const batch of chunks(ids, BATCH_SIZE)) {
      for (const snapshot of await loadSnapshots(reader, batch, false)) findings.push(...checkQuest(snapshot));
      reader.clear();
    }
    return this.reportOf(userId, ids.length, await this.named(reader, findings));
  }

  async repair(em: EntityManager, options: { dryRun: boolean; userId: string | null }, source: AuditSource): Promise<RepairOutcome> {
    if (options.dryRun) {
      const planned = await this.report(em, options.userId);
      return { dryRun: true, repairs: planned.findings, after: null };
    }
    const repaired = await em.transactional(async (tx) => {
      const findings: Finding[] = [];
      // Quests are locked in id order, batch by batch, and stay locked until commit: approvals wait, and see the repaired rows.
      for (const batch of chunks(await questIdsInScope(tx, options.userId), BATCH_SIZE)) {
        for (const snapshot of await loadSnapshots(tx, batch, true)) findings.push(...checkQuest(snapshot));
        tx.clear();
      }
      const named = await this.named(tx, findings);
      for (const finding of named) {
        await applyRepair(tx, finding.repair);
        await appendAudit(tx, source, {
          action: AuditAction.REPAIR,
          resourceType: 'Quest',
          resourceId: finding.questId,
          details: {
            audit: 'quests',
            category: finding.category,
            action: finding.repair.action,
            userId: finding.userId,
            username: finding.username,
            finding: finding.detail,
            repair: finding.repairDescription,
          },
        });
      }
      return named;
    });
    return { dryRun: false, repairs: repaired, after: await this.report(em, options.userId) };
  }

  private async named(em: EntityManager, findings: Finding[]): Promise<NamedFinding[]> {
    const names = await usernames(em, findings.map((f) => f.userId));
    return findings.map((f) => ({ ...f, username: names.get(f.userId) ?? null }));
  }

  private reportOf(userId: string | null, questsChecked: number, findings: NamedFinding[]): ConsistencyReport {
    const counts = Object.values(QuestFindingCategory).map((category) => ({
      category,
      count: findings.filter((f) => f.category === category).length,
    }));
    return { checkedAt: new Date(), userId, questsChecked, findings, counts };
  }
}
