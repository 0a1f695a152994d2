import { rule } from 'graphql-shield';
import type { Context } from '../context';
import { forbidden } from '../errors';
import type { Webhook, WebhookDelivery } from '../types/webhook.types';
import { rowRule } from './row-rule';
import { holdsFor } from './sql-condition';
import { managesWebhooks, webhookVisibleSql } from './webhook.scope';

export const mayManageWebhooks = rule('mayManageWebhooks', { cache: 'contextual' })(
  (_p, _a, ctx: Context) =>
    (ctx.viewer !== null && managesWebhooks(ctx.viewer)) ||
    forbidden('Webhooks are managed by admins, or through an API key with the subscribe scope of a staff account'),
);

/** Derived from webhookVisibleSql, answered from the row's owner. */
export const canSeeWebhook = rowRule(
  'canSeeWebhook',
  (webhook: Webhook, ctx) => ctx.viewer !== null && holdsFor(webhookVisibleSql(ctx.viewer, 'w'), { owner_id: webhook.ownerId }),
);

/** A delivery goes with its webhook: the same predicate, answered from the webhook's owner. */
export const canSeeWebhookDelivery = rowRule(
  'canSeeWebhookDelivery',
  (delivery: WebhookDelivery, ctx) => ctx.viewer !== null && holdsFor(webhookVisibleSql(ctx.viewer, 'w'), { owner_id: delivery.ownerId }),
);
