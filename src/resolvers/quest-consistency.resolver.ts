import { isUUID } from 'class-validator';
import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../context';
import { User } from '../entities';
import { badInput, notFound } from '../errors';
import type { ConsistencyReport, NamedFinding } from '../services/quest-consistency/quest-consistency.service';
import { QuestConsistencyFinding, QuestConsistencyReport, QuestRepairResult } from '../types/quest-consistency.types';

const toFinding = (f: NamedFinding): QuestConsistencyFinding => ({ ...f, repairAction: f.repair.action });
const toReport = (r: ConsistencyReport): QuestConsistencyReport => ({ ...r, findings: r.findings.map(toFinding) });

/** The audit's user, checked to exist so a typo is not reported as "no findings". */
async function auditedUser(ctx: Context, userId: string | null | undefined): Promise<string | null> {
  if (userId == null) return null;
  if (!isUUID(userId, 'all')) throw badInput('userId must be an id returned by this API');
  if (!(await ctx.em.count(User, { id: userId }))) throw notFound('User');
  return userId;
}

@Resolver()
export class QuestConsistencyResolver {
  @Query(() => QuestConsistencyReport, {
    description: 'Checks quests, applications and participants for the five kinds of drift (admins and auditors). With userId, only quests that user is involved in.',
  })
  async questConsistencyReport(@Ctx() ctx: Context, @Arg('userId', () => ID, { nullable: true }) userId?: string) {
    return toReport(await ctx.services.questConsistency.report(ctx.em, await auditedUser(ctx, userId)));
  }

  @Mutation(() => QuestRepairResult, {
    description: 'Repairs what the report finds, in one transaction, each repair in the audit log (admins). dryRun: true lists the exact repairs and writes nothing.',
  })
  async repairQuestConsistency(
    @Ctx() ctx: Context,
    @Arg('dryRun') dryRun: boolean,
    @Arg('userId', () => ID, { nullable: true }) userId?: string,
  ): Promise<QuestRepairResult> {
    const outcome = await ctx.services.questConsistency.repair(ctx.em, { dryRun, userId: await auditedUser(ctx, userId) }, ctx.audit);
    return { dryRun, repairs: outcome.repairs.map(toFinding), after: outcome.after && toReport(outcome.after) };
  }
}
