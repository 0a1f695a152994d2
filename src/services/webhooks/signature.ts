import { createHmac, randomBytes } from 'node:crypto';

/*
 * Signatures in the style of Standard Webhooks: headers webhook-id, webhook-timestamp (Unix
 * seconds) and webhook-signature `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed by
 * the base64 part of a `whsec_…` secret.
 */

export const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}
