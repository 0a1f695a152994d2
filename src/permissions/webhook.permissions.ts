import { and } from 'graphql-shield';
import type { TypeRules } from './merge-rules';
import { allow, isAuthenticated } from './rules';
import { canSeeWebhook, canSeeWebhookDelivery, mayManageWebhooks } from './webhook.rules';

/** Webhooks: their owners (an admin, or a staff account through an API key with subscribe) and admins. */
export const webhookPermissions: TypeRules = {
  Query: {
    webhooks: and(isAuthenticated, mayManageWebhooks),
    webhookDeliveries: and(isAuthenticated, mayManageWebhooks),
  },
  Mutation: {
    createWebhook: and(isAuthenticated, mayManageWebhooks),
    updateWebhook: and(isAuthenticated, mayManageWebhooks),
    deleteWebhook: and(isAuthenticated, mayManageWebhooks),
  },
  CreatedWebhook: isAuthenticated,
  Webhook: canSeeWebhook,
  WebhookFilterView: isAuthenticated,
  WebhookDeliveryConnection: allow,
  WebhookDeliveryEdge: allow,
  WebhookDelivery: canSeeWebhookDelivery,
};
