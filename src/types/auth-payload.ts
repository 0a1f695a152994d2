import { Field, ObjectType } from 'type-graphql';
import { User } from '../entities';

@ObjectType()
export class AuthPayload {
  @Field({ description: 'Short-lived JWT for `Authorization: Bearer …`.' })
  accessToken!: string;

  @Field({ description: 'Single-use: exchange it with `refreshToken` for a new pair.' })
  refreshToken!: string;

  @Field()
  accessTokenExpiresAt!: Date;

  @Field(() => User)
  user!: User;
}
