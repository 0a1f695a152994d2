import { rule } from 'graphql-shield';
import { rowRule } from './row-rule';
import { seesEveryone, type Viewer } from '../auth/viewer';
import type { Context } from '../context';
import type { Quest, QuestApplication, QuestParticipant } from '../entities';

/*
 * Rules for quests, their applications and participants (layer two). The row rules are
 * derived from the predicates in quest.scope.ts: rows read under them are known visible,
 * others are asked about by id, one statement per type and batch. The rest read through the
 * request's loaders and use `no_cache`: they depend on the parent row.
 */

const takesPart = async (ctx: Context, viewer: Viewer, questId: string) =>
  (await ctx.loaders.participantsByQuestId.load(questId)).some((p) => p.user.id === viewer.user.id);

/**
 * Derived from the one predicate (questVisibleSql): quests of a scoped list or lookup are
 * known visible; any other is asked about by id, one statement per batch, none for admins.
 */
export const canSeeQuest = rowRule('canSeeQuest', (quest: Quest, ctx) => ctx.viewer !== null && ctx.loaders.questVisible(ctx.viewer)(quest.id));

/** A quest's participants: for its creator, its participants, admins and auditors. */
export const canSeeParticipantsOf = rule('canSeeParticipantsOf', { cache: 'no_cache' })(
  async (quest: Quest, _a, ctx: Context) =>
    ctx.viewer !== null &&
    (seesEveryone(ctx.viewer) || quest.creator.id === ctx.viewer.user.id || (await takesPart(ctx, ctx.viewer, quest.id))),
);

/** Derived from applicationVisibleSql: a quest's applications are read under it and known visible; any other is asked about by id. */
export const canSeeApplication = rowRule(
  'canSeeApplication',
  (application: QuestApplication, ctx) => ctx.viewer !== null && ctx.loaders.applicationVisible(ctx.viewer)(application.id),
);

/** Derived from participantVisibleSql: a quest's participants shown to someone allowed them are known visible; any other is asked about by id. */
export const canSeeParticipant = rowRule(
  'canSeeParticipant',
  (participant: QuestParticipant, ctx) => ctx.viewer !== null && ctx.loaders.participantVisible(ctx.viewer)(participant.id),
);

const ON_A_QUEST = Symbol('reached from a quest row');

/**
 * A user as a quest row shows it (creator, assignee, applicant, decider, participant): a
 * copy marked for reachedFromQuestRow, so the same account reached any other way is not.
 */
export const asShownOnQuest = <U extends object>(user: U | null): U | null => user && { ...user, [ON_A_QUEST]: true };

/**
 * A user reached straight from a quest row the viewer may see: its id and username are
 * shown so people on a quest know who is who, while the account's other fields keep
 * their own rule.
 */
export const reachedFromQuestRow = rule('reachedFromQuestRow', { cache: 'no_cache' })(
  (user: object) => (user as Record<symbol, unknown>)[ON_A_QUEST] === true,
);
