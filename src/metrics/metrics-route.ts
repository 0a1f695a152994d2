import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { registry } from './metrics';

const digest = (value: string) => createHash('sha256').update(value).digest();
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * `GET /metrics` in Prometheus' text format. With METRICS_TOKEN set it asks for
 * `Authorization: Bearer <token>`; without it, it answers only connections from this host
 * (the socket's own address: a forwarded header cannot claim it).
 */
export function metricsRoute(token: string | undefined) {
  const expected = token ? digest(`Bearer ${token}`) : null;
  return async (req: Request, res: Response) => {
    if (expected) {
      if (!timingSafeEqual(digest(req.headers.authorization ?? ''), expected)) {
        res.status(401).set('www-authenticate', 'Bearer realm="metrics"').json({ error: 'Send METRICS_TOKEN as Authorization: Bearer <token>' });
        return;
      }
    } else if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) {
      res.status(403).json({ error: 'Metrics are served to this host only; set METRICS_TOKEN to serve them to others' });
      return;
    }
    res.set('content-type', registry.contentType).set('cache-control', 'no-store').send(await registry.metrics());
  };
}
