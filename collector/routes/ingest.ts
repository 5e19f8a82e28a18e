import { Hono, type Context } from 'hono';
import { WIRE_LIMITS } from '../../shared/wire.ts';
import type { Clock } from '../../storage/types.ts';
import { ingest, type IngestDeps } from '../ingest.ts';
import { originAllowed } from '../origin.ts';
import { readBodyLimited } from '../read-body.ts';
import type { RateLimiter } from '../rate-limit.ts';

export interface IngestRouteDeps {
  ingest: IngestDeps;
  rateLimiter: RateLimiter;
  /** the request's client address under the configured proxy trust (client-ip.ts) */
  clientIp: (c: Context) => string;
  clock: Clock;
}

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Content-Type',
  'Access-Control-Max-Age': '86400',
};

/**
 * POST /api/event, the one public write endpoint and the only one with open CORS. The beacon
 * sends text/plain so browsers skip the preflight; application/json works too for other clients.
 */
export function ingestRoutes(deps: IngestRouteDeps): Hono {
  const app = new Hono();
  app.options('/api/event', () => new Response(null, { status: 204, headers: CORS }));
  app.post(
    '/api/event',
    async (c, next) => {
      for (const [k, v] of Object.entries(CORS)) c.header(k, v);
      await next();
    },
    async (c) => {
      const type = (c.req.header('content-type') ?? 'text/plain').split(';')[0]!.trim().toLowerCase();
      if (type !== 'text/plain' && type !== 'application/json') {
        deps.ingest.drops.add('invalid');
        return c.json({ error: 'content-type must be text/plain or application/json' }, 415);
      }
      if (!originAllowed(c.req.header('origin'), deps.ingest.sites)) {
        deps.ingest.drops.add('site_not_allowed');
        return c.json({ error: 'Origin is not a site in ANALYTICS_SITES' }, 403);
      }
      const ip = deps.clientIp(c);
      const wait = deps.rateLimiter.take(ip, deps.clock());
      if (wait > 0) {
        deps.ingest.drops.add('rate_limited');
        c.header('Retry-After', String(wait));
        return c.json({ error: 'too many requests' }, 429);
      }
      const body = await readBodyLimited(c.req.raw, WIRE_LIMITS.maxBodyBytes);
      if (body === null) {
        deps.ingest.drops.add('too_large');
        return c.json({ error: `body exceeds ${WIRE_LIMITS.maxBodyBytes} bytes` }, 413);
      }
      const result = await ingest(
        {
          body,
          ip,
          userAgent: c.req.header('user-agent') ?? '',
          gpc: c.req.header('sec-gpc') === '1',
        },
        deps.ingest,
      );
      switch (result.status) {
        case 202:
          return c.json({ accepted: result.accepted, dropped: result.dropped }, 202);
        case 204:
          c.header('X-CFA-Dropped', result.reason);
          return c.body(null, 204);
        case 503:
          c.header('Retry-After', '5');
          return c.json({ error: result.error }, 503);
        default:
          return c.json({ error: result.error }, result.status);
      }
    },
  );
  return app;
}
