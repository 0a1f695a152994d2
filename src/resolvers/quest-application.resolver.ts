import { Args, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { asShownOnQuest } from '../permissions/quest.rules';
import { Quest, QuestApplication, User } from '../entities';
import { ApplyToQuestArgs, IdArgs, RejectApplicationArgs } from '../types/quest.types';

@Resolver(() => QuestApplication)
export class QuestApplicationResolver {
  @Mutation(() => QuestApplication, { description: 'Applies to an open quest that is not full (students).' })
  applyToQuest(@Args(() => ApplyToQuestArgs) { questId, message }: ApplyToQuestArgs, @Ctx() ctx: Context) {
    return ctx.services.quests.apply(ctx.em, ctx.viewer!, questId, message);
  }

  @Mutation(() => QuestApplication, { description: 'Withdraws a pending application (the applicant).' })
  withdrawApplication(@Args(() => IdArgs) { id }: IdArgs, @Ctx() ctx: Context) {
    return ctx.services.quests.withdraw(ctx.em, ctx.viewer!, id);
  }

  @Mutation(() => QuestApplication, { description: 'Rejects a pending application (the quest creator and admins).' })
  rejectApplication(@Args(() => RejectApplicationArgs) { id, reason }: RejectApplicationArgs, @Ctx() ctx: Context) {
    return ctx.services.quests.reject(ctx.em, ctx.viewer!, id, reason, ctx.audit);
  }

  @Mutation(() => QuestApplication, {
    description:
      'Approves an application in one transaction: the applicant becomes a participant and the quest is assigned and IN_PROGRESS (the quest creator and admins). Approving again changes nothing.',
  })
  approveApplication(@Args(() => IdArgs) { id }: IdArgs, @Ctx() ctx: Context) {
    return ctx.services.quests.approve(ctx.em, ctx.viewer!, id, ctx.audit);
  }

  @FieldResolver(() => Quest)
  quest(@Root() application: QuestApplication, @Ctx() ctx: Context) {
    return ctx.loaders.questById.load(application.quest.id);
  }

  @FieldResolver(() => User)
  async applicant(@Root() application: QuestApplication, @Ctx() ctx: Context) {
    return asShownOnQuest(await ctx.loaders.userById.load(application.applicant.id));
  }

  @FieldResolver(() => User, { nullable: true, description: 'Who approved, rejected or withdrew it; null for system decisions.' })
  async decidedBy(@Root() application: QuestApplication, @Ctx() ctx: Context) {
    return application.decidedBy ? asShownOnQuest(await ctx.loaders.userById.load(application.decidedBy.id)) : null;
  }
}
