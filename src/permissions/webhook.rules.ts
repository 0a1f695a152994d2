import { rule } from 'graphql-shield';
import type { Context } from '../context';
import { forbidden } from '../errors';
import type { Webhook, WebhookDelivery } from '../types/webhook.types';
import { rowRule } from './row-rule';
import { managesWebhooks, seesWebhookOf } from './webhook.scope';

export const mayManageWebhooks = rule('mayManageWebhooks', { cache: 'contextual' })(
  (_p, _a, ctx: Context) =>
    (ctx.viewer !== null && managesWebhooks(ctx.viewer)) ||
    forbidden('Webhooks are managed by admins, or through an API key with the subscribe scope of a staff account'),
);

export const canSeeWebhook = rowRule('canSeeWebhook', (webhook: Webhook, ctx) => ctx.viewer !== null && seesWebhookOf(ctx.viewer, webhook.ownerId));

export const canSeeWebhookDelivery = rowRule(
  'canSeeWebhookDelivery',
  (delivery: WebhookDelivery, ctx) => ctx.viewer !== null && seesWebhookOf(ctx.viewer, delivery.ownerId),
);
