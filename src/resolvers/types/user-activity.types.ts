import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { UserActivity as Activity } from '../../services/user-activity.service';

@ObjectType({ description: "One account's activity over the requested window." })
export class UserActivity implements Activity {
  @Field(() => ID)
  userId!: string;

  @Field(() => Int)
  logins!: number;

  @Field(() => Int, { description: 'Failed attempts to sign in to this account.' })
  failedLogins!: number;

  @Field(() => Int, { description: 'Workflows the user started (directly or through an API key).' })
  workflows!: number;

  @Field(() => Date, { nullable: true, description: 'Latest of: an audited action, a workflow start, a login, an API key use.' })
  lastSeenAt!: Date | null;
}
