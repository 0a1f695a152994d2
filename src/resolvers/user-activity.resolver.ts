import { Args, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { User } from '../entities';
import { userActivity } from '../services/user-activity.service';
import { UserActivity, UserActivityArgs } from '../types/user-activity.types';

@Resolver(() => UserActivity)
export class UserActivityResolver {
  @Query(() => [UserActivity], {
    description: 'Accounts active in [from, to) (default: the last 30 days), most recently seen first (admins).',
  })
  userActivity(@Args(() => UserActivityArgs) args: UserActivityArgs, @Ctx() ctx: Context): Promise<UserActivity[]> {
    return userActivity(ctx.em, args);
  }

  @FieldResolver(() => User)
  user(@Root() activity: UserActivity, @Ctx() ctx: Context) {
    return ctx.loaders.userById.load(activity.userId);
  }
}
