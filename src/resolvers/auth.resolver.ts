import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../context';
import { User } from '../entities';
import { AuditAction } from '../entities/audit-action';
import { Role } from '../entities/role';
import { AuthPayload } from '../types/auth-payload';
import { RegisterInput } from '../types/user.inputs';

/** The payload's account proved its credentials: its rows read as the caller's own (Context.signedIn). */
function signedIn(ctx: Context, payload: AuthPayload): AuthPayload {
  ctx.signedIn = payload.user.id;
  return payload;
}

@Resolver()
export class AuthResolver {
  @Mutation(() => AuthPayload, { description: 'Creates a STUDENT account and signs it in.' })
  async register(@Arg('input', () => RegisterInput) input: RegisterInput, @Ctx() ctx: Context): Promise<AuthPayload> {
    await ctx.services.auth.admitRegistration(ctx.em, ctx.audit);
    return ctx.em.transactional(async (tx) => {
      // Named fields, not a spread: a self-registered student always lands in "unassigned".
      const { email, username, password } = input;
      const user = await ctx.services.users.create(tx, { email, username, password, role: Role.STUDENT }, ctx.audit, true);
      return signedIn(ctx, await ctx.services.auth.startSession(tx, user, ctx.audit, AuditAction.LOGIN));
    });
  }

  @Mutation(() => AuthPayload)
  async login(@Arg('email') email: string, @Arg('password') password: string, @Ctx() ctx: Context): Promise<AuthPayload> {
    return signedIn(ctx, await ctx.services.auth.login(ctx.em, email, password, ctx.audit));
  }

  @Mutation(() => AuthPayload, { description: 'Rotates the refresh token; presenting a used one revokes its session.' })
  async refreshToken(@Arg('refreshToken') refreshToken: string, @Ctx() ctx: Context): Promise<AuthPayload> {
    return signedIn(ctx, await ctx.services.auth.refresh(ctx.em, refreshToken, ctx.audit));
  }

  @Mutation(() => Boolean, { description: "Ends the refresh token's session and denies the caller's access token." })
  logout(@Arg('refreshToken') refreshToken: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.auth.logout(ctx.em, refreshToken, ctx.viewer, ctx.audit);
  }

  @Query(() => User, { nullable: true, description: 'The caller; null when not signed in.' })
  me(@Ctx() ctx: Context): User | null {
    return ctx.viewer?.user ?? null;
  }
}
