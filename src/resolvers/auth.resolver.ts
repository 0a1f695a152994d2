import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../context';
import { User } from '../entities';
import { Role } from '../entities/role';
import { AuthPayload } from './types/auth-payload';
import { RegisterInput } from './types/user.inputs';

const meta = (ctx: Context) => ({ ip: ctx.ip, userAgent: ctx.userAgent });

@Resolver()
export class AuthResolver {
  @Mutation(() => AuthPayload, { description: 'Creates a STUDENT account and signs it in.' })
  async register(@Arg('input', () => RegisterInput) input: RegisterInput, @Ctx() ctx: Context): Promise<AuthPayload> {
    return ctx.em.transactional(async (tx) => {
      const user = await ctx.services.users.create(tx, { ...input, role: Role.STUDENT });
      return ctx.services.auth.startSession(tx, user, meta(ctx));
    });
  }

  @Mutation(() => AuthPayload)
  login(@Arg('email') email: string, @Arg('password') password: string, @Ctx() ctx: Context): Promise<AuthPayload> {
    return ctx.services.auth.login(ctx.em, email, password, meta(ctx));
  }

  @Mutation(() => AuthPayload, { description: 'Rotates the refresh token; presenting a used one revokes its session.' })
  refreshToken(@Arg('refreshToken') refreshToken: string, @Ctx() ctx: Context): Promise<AuthPayload> {
    return ctx.services.auth.refresh(ctx.em, refreshToken);
  }

  @Mutation(() => Boolean, { description: "Ends the refresh token's session and denies the caller's access token." })
  logout(@Arg('refreshToken') refreshToken: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.auth.logout(ctx.em, refreshToken, ctx.viewer);
  }

  @Query(() => User, { nullable: true, description: 'The caller; null when not signed in.' })
  me(@Ctx() ctx: Context): User | null {
    return ctx.viewer?.user ?? null;
  }
}
