import { IsOptional, IsUUID, Max, Min } from 'class-validator';
import { ArgsType, Field, ID, Int, ObjectType } from 'type-graphql';
import type { UserActivity as Activity } from '../services/user-activity.service';

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

@ArgsType()
export class UserActivityArgs {
  @Field(() => Date, { nullable: true, description: 'Default: 30 days before `to`.' })
  from?: Date;

  @Field(() => Date, { nullable: true, description: 'Default: now.' })
  to?: Date;

  @Field(() => ID, { nullable: true, description: 'Only this account.' })
  @IsOptional()
  @IsUUID('all', { message: 'userId must be a UUID' })
  userId?: string;

  @Field(() => Int, { defaultValue: 50 })
  @Min(1, { message: 'limit must be between 1 and 500' })
  @Max(500, { message: 'limit must be between 1 and 500' })
  limit!: number;
}
