import { Arg, Args, Ctx, FieldResolver, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { FilterQuery } from '@mikro-orm/core';
import { Cacheable } from '../cache/cacheable';
import { knownVisible, type Context } from '../context';
import { Quest, QuestApplication, QuestParticipant, User } from '../entities';
import { notFound } from '../errors';
import { asShownOnQuest } from '../permissions/quest.rules';
import { visibleQuests } from '../permissions/quest.scope';
import { paginate } from '../services/pagination';
import { Connection } from '../types/connection';
import { CreateQuestInput, IdArgs, QuestFilter, UpdateQuestArgs } from '../types/quest.types';

@ObjectType()
export class QuestConnection extends Connection(Quest) {}

function filterQuery(filter: QuestFilter | undefined): FilterQuery<Quest> {
  const where: FilterQuery<Quest>[] = [];
  if (filter?.status) where.push({ status: filter.status });
  if (filter?.creatorId) where.push({ creator: filter.creatorId });
  if (filter?.search) where.push({ title: { $ilike: `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%` } });
  return { $and: where };
}

@Resolver(() => Quest)
export class QuestResolver {
  @Cacheable()
  @Query(() => QuestConnection, {
    description: 'Quests the caller may see: open ones, and those they created, are assigned, applied to or take part in (admins and auditors: all).',
  })
  async quests(
    @Ctx() ctx: Context,
    @Arg('filter', () => QuestFilter, { nullable: true }) filter?: QuestFilter,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    const page = await paginate(ctx.em, Quest, { $and: [visibleQuests(ctx.viewer!), filterQuery(filter)] }, { first, after });
    knownVisible(ctx, page.edges.map((edge) => edge.node));
    return page;
  }

  @Cacheable()
  @Query(() => Quest, { description: 'One quest, if the caller may see it; otherwise NOT_FOUND.' })
  async quest(@Args(() => IdArgs) { id }: IdArgs, @Ctx() ctx: Context): Promise<Quest> {
    const quest = await ctx.em.findOne(Quest, { $and: [{ id }, visibleQuests(ctx.viewer!)] });
    if (!quest) throw notFound('Quest');
    knownVisible(ctx, [quest]);
    return quest;
  }

  @Mutation(() => Quest, { description: 'Publishes an OPEN quest created by the caller (teachers and admins).' })
  createQuest(@Arg('input', () => CreateQuestInput) input: CreateQuestInput, @Ctx() ctx: Context): Promise<Quest> {
    return ctx.services.quests.create(ctx.em, ctx.viewer!, input);
  }

  @Mutation(() => Quest, { description: 'Edits or closes a quest (its creator and admins).' })
  updateQuest(@Args(() => UpdateQuestArgs) { id, input }: UpdateQuestArgs, @Ctx() ctx: Context): Promise<Quest> {
    return ctx.services.quests.update(ctx.em, ctx.viewer!, id, input, ctx.audit);
  }

  @FieldResolver(() => User)
  async creator(@Root() quest: Quest, @Ctx() ctx: Context) {
    return asShownOnQuest(await ctx.loaders.userById.load(quest.creator.id));
  }

  @FieldResolver(() => User, { nullable: true })
  async assignedTo(@Root() quest: Quest, @Ctx() ctx: Context) {
    return quest.assignedTo ? asShownOnQuest(await ctx.loaders.userById.load(quest.assignedTo.id)) : null;
  }

  @FieldResolver(() => [QuestApplication], {
    description: 'All of them for the creator, admins and auditors; only their own for an applicant; none for anyone else.',
  })
  async applications(@Root() quest: Quest, @Ctx() ctx: Context) {
    const applications = await ctx.loaders.applicationsByQuestId(ctx.viewer!).load(quest.id);
    // Read under the applications' predicate.
    knownVisible(ctx, applications);
    return applications;
  }

  @FieldResolver(() => [QuestParticipant], {
    nullable: true,
    description: 'For the creator, the participants, admins and auditors; anyone else gets null and a FORBIDDEN error, and the rest of the page.',
  })
  async participants(@Root() quest: Quest, @Ctx() ctx: Context) {
    const participants = await ctx.loaders.participantsByQuestId.load(quest.id);
    // Shield let canSeeParticipantsOf through: the quest's creator, a participant or an overseer, whom the participants' predicate admits to every participant of it.
    knownVisible(ctx, participants);
    return participants;
  }

  @FieldResolver(() => Int, { description: 'How many take part; anyone who sees the quest may know whether it is full.' })
  async participantCount(@Root() quest: Quest, @Ctx() ctx: Context) {
    return (await ctx.loaders.participantsByQuestId.load(quest.id)).length;
  }
}
