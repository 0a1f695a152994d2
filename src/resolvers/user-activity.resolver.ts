import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { User } from '../entities';
import { userActivity } from '../services/user-activity.service';
import { checkedId } from './types/ids';
import { UserActivity } from './types/user-activity.types';

@Resolver(() => UserActivity)
export class UserActivityResolver {
  @Query(() => [UserActivity], {
    description: 'Accounts active in [from, to) (default: the last 30 days), most recently seen first (admins).',
  })
  userActivity(
    @Ctx() ctx: Context,
    @Arg('from', () => Date, { nullable: true }) from?: Date,
    @Arg('to', () => Date, { nullable: true }) to?: Date,
    @Arg('userId', () => ID, { nullable: true }) userId?: string,
    @Arg('limit', () => Int, { defaultValue: 50, description: '1-500.' }) limit?: number,
  ): Promise<UserActivity[]> {
    return userActivity(ctx.em, { from, to, userId: userId ? checkedId(userId, 'userId') : null, limit: limit ?? 50 });
  }

  @FieldResolver(() => User)
  user(@Root() activity: UserActivity, @Ctx() ctx: Context) {
    return ctx.loaders.userById.load(activity.userId);
  }
}
