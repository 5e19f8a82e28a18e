import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Asset } from './assets.ts';
import { beaconRoutes } from './routes/beacon.ts';
import { healthRoutes } from './routes/health.ts';
import { ingestRoutes, type IngestRouteDeps } from './routes/ingest.ts';

export interface AppDeps extends IngestRouteDeps {
  beacon: Asset;
  adminToken: string;
  /** extra figures for /healthz (store health, index progress…) */
  health: () => Record<string, unknown>;
  /** further routes mounted at the root (query API, dashboard…), each a Hono app */
  extraRoutes?: Hono[];
}

/**
 * The collector as a value: a Hono app built from its dependencies, with no port and no globals,
 * so tests drive it with app.request() and the server module only binds it to a socket.
 */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.route(
    '/',
    healthRoutes(() => ({ drops: deps.ingest.drops.snapshot(), ...deps.health() })),
  );
  app.route('/', beaconRoutes(deps.beacon));
  app.route('/', ingestRoutes(deps));
  for (const routes of deps.extraRoutes ?? []) app.route('/', routes);

  app.notFound((c) => c.json({ error: 'not found' }, 404));
  app.onError((error, c) => {
    if (error instanceof HTTPException) {
      return c.json({ error: error.message || 'request failed' }, error.status);
    }
    // Logged without the request's headers or body: they can hold tokens or personal data.
    console.error(`collector: ${c.req.method} ${c.req.path} failed: ${error.stack ?? error.message}`);
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}
