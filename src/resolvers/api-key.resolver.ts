import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { ApiKey, User } from '../entities';
import { CreateApiKeyInput, CreatedApiKey } from '../types/api-key.types';

@Resolver(() => ApiKey)
export class ApiKeyResolver {
  @Mutation(() => CreatedApiKey, { description: 'Creates a key acting as the caller, narrowed to its scopes. The key is shown once.' })
  createApiKey(@Arg('input', () => CreateApiKeyInput) input: CreateApiKeyInput, @Ctx() ctx: Context): Promise<CreatedApiKey> {
    return ctx.services.apiKeys.create(ctx.em, ctx.viewer!.user.id, input, ctx.audit);
  }

  @Mutation(() => ApiKey, { description: 'Stops a key at once. Owners revoke their own keys; admins any key.' })
  revokeApiKey(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<ApiKey> {
    return ctx.services.apiKeys.revoke(ctx.em, id, ctx.viewer!, ctx.audit);
  }

  @Query(() => [ApiKey], { description: "The caller's keys, newest first." })
  apiKeys(@Ctx() ctx: Context, @Arg('includeRevoked', { defaultValue: false }) includeRevoked: boolean): Promise<ApiKey[]> {
    const owner = ctx.viewer!.user.id;
    const where = includeRevoked ? { owner } : { owner, revokedAt: null };
    return ctx.em.find(ApiKey, where, { orderBy: { createdAt: 'desc', id: 'desc' } });
  }

  @FieldResolver(() => User)
  owner(@Root() key: ApiKey, @Ctx() ctx: Context) {
    return ctx.loaders.userById.load(key.owner.id);
  }
}
