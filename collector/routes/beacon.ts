import { Hono } from 'hono';
import type { Asset } from '../assets.ts';

/**
 * GET /beacon.js, and GET /beacon.debug.js: the same beacon built with its data-debug log, for a
 * site owner to load instead while finding out why a page sends nothing. Both are cached for an
 * hour with revalidation by ETag: short enough that a new beacon reaches visitors the same day,
 * long enough that repeat page views cost a 304 at most.
 */
export function beaconRoutes(beacon: Asset, debug: Asset): Hono {
  const app = new Hono();
  for (const [path, asset] of [
    ['/beacon.js', beacon],
    ['/beacon.debug.js', debug],
  ] as const) {
    app.get(path, (c) => {
      c.header('Cache-Control', 'public, max-age=3600, stale-while-revalidate=86400');
      c.header('ETag', asset.etag);
      c.header('Access-Control-Allow-Origin', '*');
      c.header('X-Content-Type-Options', 'nosniff');
      if (c.req.header('if-none-match') === asset.etag) return c.body(null, 304);
      c.header('Content-Type', asset.contentType);
      return c.body(asset.body);
    });
  }
  return app;
}
