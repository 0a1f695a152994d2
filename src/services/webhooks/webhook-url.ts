import { BlockList, isIP } from 'node:net';
import { badInput } from '../../errors';

/** Loopback, private, link-local and unique-local ranges: what a webhook must not reach in production. */
const privateRanges = new BlockList();
for (const [net, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.168.0.0', 16]] as const) {
  privateRanges.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [['::', 127], ['fc00::', 7], ['fe80::', 10]] as const) privateRanges.addSubnet(net, prefix, 'ipv6');

/**
 * A webhook URL as stored: http(s), no credentials in it, and, unless allowed, no loopback
 * or private address literal (so a caller cannot point the server at its own network).
 * Names that resolve to such addresses are not caught here: put egress rules in front.
 */
export function checkedWebhookUrl(raw: string, allowPrivate: boolean): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badInput('url must be an http or https URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badInput('url must be an http or https URL');
  if (url.username || url.password) throw badInput('url must not carry credentials');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const family = isIP(host);
  const isPrivate = host === 'localhost' || host.endsWith('.localhost') || (family !== 0 && privateRanges.check(host, family === 4 ? 'ipv4' : 'ipv6'));
  if (isPrivate && !allowPrivate) throw badInput('url must not point at a loopback or private address (WEBHOOK_ALLOW_PRIVATE_URLS)');
  return url.toString();
}
