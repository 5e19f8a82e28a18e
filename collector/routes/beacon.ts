import { Hono } from 'hono';
import type { Asset } from '../assets.ts';

/**
 * GET /beacon.js. Cached for an hour with revalidation by ETag: short enough that a new beacon
 * reaches visitors the same day, long enough that repeat page views cost a 304 at most.
 */
export function beaconRoutes(beacon: Asset): Hono {
  const app = new Hono();
  app.get('/beacon.js', (c) => {
    c.header('Cache-Control', 'public, max-age=3600, stale-while-revalidate=86400');
    c.header('ETag', beacon.etag);
    c.header('Access-Control-Allow-Origin', '*');
    c.header('X-Content-Type-Options', 'nosniff');
    if (c.req.header('if-none-match') === beacon.etag) return c.body(null, 304);
    c.header('Content-Type', beacon.contentType);
    return c.body(beacon.body);
  });
  return app;
}
