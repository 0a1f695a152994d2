import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { asShownOnQuest } from '../permissions/quest.rules';
import { Quest, QuestParticipant, User } from '../entities';

@Resolver(() => QuestParticipant)
export class QuestParticipantResolver {
  @FieldResolver(() => Quest)
  quest(@Root() participant: QuestParticipant, @Ctx() ctx: Context) {
    return ctx.loaders.questById.load(participant.quest.id);
  }

  @FieldResolver(() => User)
  async user(@Root() participant: QuestParticipant, @Ctx() ctx: Context) {
    return asShownOnQuest(await ctx.loaders.userById.load(participant.user.id));
  }
}
