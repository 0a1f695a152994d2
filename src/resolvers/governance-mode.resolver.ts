import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { GovernanceMode } from '../entities';
import { visibleModes } from '../permissions/governance-mode.scope';
import { createGovernanceMode, governanceModeDistribution, retireGovernanceMode } from '../services/governance-mode.service';
import { CreateGovernanceModeInput, GovernanceModeDistributionArgs, GovernanceModeUsage } from '../types/governance-mode.types';

@Resolver(() => GovernanceMode)
export class GovernanceModeResolver {
  @Query(() => [GovernanceMode], {
    description: 'Governance modes by key, active ones unless includeRetired (admins, auditors and teachers).',
  })
  governanceModes(
    @Ctx() ctx: Context,
    @Arg('includeRetired', { defaultValue: false, description: 'Also list retired modes (kept for history).' }) includeRetired: boolean,
  ): Promise<GovernanceMode[]> {
    return ctx.em.find(GovernanceMode, { $and: [includeRetired ? {} : { retiredAt: null }, visibleModes(ctx.viewer!)] }, { orderBy: { key: 'asc' } });
  }

  @Mutation(() => GovernanceMode, { description: 'Adds a governance mode; a key already used (retired modes included) is CONFLICT (admins).' })
  createGovernanceMode(@Arg('input', () => CreateGovernanceModeInput) input: CreateGovernanceModeInput, @Ctx() ctx: Context): Promise<GovernanceMode> {
    return createGovernanceMode(ctx.em, input, ctx.audit);
  }

  @Mutation(() => GovernanceMode, {
    description: 'Retires a mode: kept for history, it tags no new work. Retiring it again returns it unchanged (admins).',
  })
  retireGovernanceMode(@Arg('key') key: string, @Ctx() ctx: Context): Promise<GovernanceMode> {
    return retireGovernanceMode(ctx.em, key, ctx.audit);
  }

  @Query(() => [GovernanceModeUsage], {
    description:
      'Requests per governance mode (mode null: none) in [from, to), most requests first, computed by PostgreSQL (admins and auditors).',
  })
  governanceModeDistribution(@Args(() => GovernanceModeDistributionArgs) args: GovernanceModeDistributionArgs, @Ctx() ctx: Context) {
    return governanceModeDistribution(ctx.em, args);
  }
}

@Resolver(() => GovernanceModeUsage)
export class GovernanceModeUsageResolver {
  @FieldResolver(() => GovernanceMode, { nullable: true, description: 'Null for requests tagged with no mode.' })
  mode(@Root() row: GovernanceModeUsage, @Ctx() ctx: Context) {
    return row.modeId ? ctx.loaders.governanceModeById.load(row.modeId) : null;
  }
}
