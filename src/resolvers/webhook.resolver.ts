import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../context';
import { CreatedWebhook, CreateWebhookInput, UpdateWebhookInput, Webhook, WebhookDeliveryConnection } from '../types/webhook.types';

@Resolver(() => Webhook)
export class WebhookResolver {
  @Mutation(() => CreatedWebhook, {
    description:
      'A receiver of flag events from now on, within its owner\'s rights (admins; or an API key with subscribe, for its owner). The signing secret is shown once.',
  })
  createWebhook(@Arg('input', () => CreateWebhookInput) input: CreateWebhookInput, @Ctx() ctx: Context): Promise<CreatedWebhook> {
    return ctx.services.webhooks.create(ctx.em, ctx.viewer!, ctx.audit, input);
  }

  @Query(() => [Webhook], { description: "The caller's webhooks (an admin's: all)." })
  webhooks(@Ctx() ctx: Context): Promise<Webhook[]> {
    return ctx.services.webhooks.list(ctx.em, ctx.viewer!);
  }

  @Mutation(() => Webhook, { description: 'Changes a webhook; `active: false` pauses it where it is in the log.' })
  updateWebhook(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateWebhookInput) input: UpdateWebhookInput,
    @Ctx() ctx: Context,
  ): Promise<Webhook> {
    return ctx.services.webhooks.update(ctx.em, ctx.viewer!, ctx.audit, id, input);
  }

  @Mutation(() => Boolean, { description: 'Deletes a webhook and its delivery history.' })
  deleteWebhook(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.webhooks.remove(ctx.em, ctx.viewer!, ctx.audit, id);
  }

  @Query(() => WebhookDeliveryConnection, { description: "A webhook's deliveries, newest first." })
  webhookDeliveries(
    @Arg('webhookId', () => ID) webhookId: string,
    @Arg('first', () => Int, { nullable: true }) first: number | undefined,
    @Arg('after', () => String, { nullable: true }) after: string | undefined,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.webhooks.deliveries(ctx.em, ctx.viewer!, webhookId, { first, after });
  }
}
