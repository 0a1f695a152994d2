import { Arg, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../context';
import { badInput } from '../errors';
import { verifyAssessments } from '../services/integrity.service';
import { Backup, IntegrityReport } from '../types/assessment-operations.types';

/** Operations over the whole assessment store: integrity checks and backups. */
@Resolver()
export class AssessmentOperationsResolver {
  @Query(() => IntegrityReport, { description: 'Runs every assessment integrity check (admins and auditors); read-only.' })
  integrityReport(
    @Ctx() ctx: Context,
    @Arg('limit', () => Int, { defaultValue: 100, description: 'Findings listed per check, 1-1000.' }) limit: number,
  ): Promise<IntegrityReport> {
    if (limit < 1 || limit > 1000) throw badInput('limit must be between 1 and 1000');
    return verifyAssessments(ctx.em.getKnex(), { limit });
  }

  @Mutation(() => Backup, { description: 'Exports every assessment to the configured backup folder (admins). Takes no path.' })
  createBackup(@Ctx() ctx: Context): Promise<Backup> {
    return ctx.services.backups.create(ctx.em.getKnex(), ctx.audit);
  }
}
