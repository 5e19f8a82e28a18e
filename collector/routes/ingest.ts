import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { RetryLaterError } from '../../shared/retry-later.ts';
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

// Set by hand rather than with hono/cors: that middleware touches c.res before the handler, which
// builds an extra Response per request; POST /api/event served 7,885 req/s with these lines and
// 5,493 with hono/cors (autocannon, 10 connections, 3 × 10 s each, docs/performance.md).
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
        throw new HTTPException(415, { message: 'content-type must be text/plain or application/json' });
      }
      if (!originAllowed(c.req.header('origin'), deps.ingest.sites)) {
        deps.ingest.drops.add('site_not_allowed');
        throw new HTTPException(403, { message: 'Origin is not a site in ANALYTICS_SITES' });
      }
      const ip = deps.clientIp(c);
      const wait = deps.rateLimiter.take(ip, deps.clock());
      if (wait > 0) {
        deps.ingest.drops.add('rate_limited');
        throw new RetryLaterError('too many requests', wait, 429);
      }
      const body = await readBodyLimited(c.req.raw, WIRE_LIMITS.maxBodyBytes);
      if (body === null) {
        deps.ingest.drops.add('too_large');
        throw new HTTPException(413, { message: `body exceeds ${WIRE_LIMITS.maxBodyBytes} bytes` });
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
        // Failures are answered by the app's one error handler (app.ts), like every route's.
        case 503:
          throw new RetryLaterError(result.error, 5);
        default:
          throw new HTTPException(result.status, { message: result.error });
      }
    },
  );
  return app;
}
