import { Hono } from 'hono';
import type { Asset } from './assets.ts';
import { accessGuard } from './access/guard.ts';
import type { AccessStore } from './access/access-store.ts';
import type { AccessDeps } from './access/principal.ts';
import { LoginThrottle } from './access/throttle.ts';
import { checkToken } from './auth.ts';
import { compress } from './compress.ts';
import { errorHandler } from './error-handler.ts';
import { beaconRoutes } from './routes/beacon.ts';
import { healthRoutes } from './routes/health.ts';
import { ingestRoutes, type IngestRouteDeps } from './routes/ingest.ts';
import { accessAdminRoutes } from './routes/access-admin.ts';
import { authRoutes } from './routes/auth.ts';
import { userDataRoutes, type UserDataDeps } from './routes/user-data.ts';

export interface AppDeps extends IngestRouteDeps {
  beacon: Asset;
  /** the same beacon with its data-debug log (dist/beacon.debug.js) */
  beaconDebug: Asset;
  adminToken: string;
  /** who may do what under /api/analytics and /api/admin (route-access.ts); accounts and sessions */
  auth: AccessDeps & { store: AccessStore };
  /** erasure and export of one user id's records */
  userData: UserDataDeps;
  /** public /healthz figures: readiness only (index ready, load progress) */
  readiness: () => Record<string, unknown>;
  /** /healthz figures for the admin (store health, index size…) */
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
  // First, so it wraps every route registered below; ingest is skipped (see compress.ts).
  app.use('*', compress({ skip: (path) => path === '/api/event' }));
  app.route(
    '/',
    healthRoutes({
      readiness: deps.readiness,
      details: () => ({
        drops: deps.ingest.drops.snapshot(),
        caps: deps.ingest.caps.status(),
        ...deps.health(),
      }),
      authorize: (c) => checkToken(c, deps.auth, false),
    }),
  );
  app.route('/', beaconRoutes(deps.beacon, deps.beaconDebug));
  app.route('/', ingestRoutes(deps));
  app.route('/', authRoutes({ ...deps.auth, logins: new LoginThrottle() }));
  // One guard for the whole analytics and admin API (Hono's /* also matches /api/analytics
  // itself), so a route added later cannot forget it.
  const guard = accessGuard(deps.auth);
  app.use('/api/analytics/*', guard);
  app.use('/api/admin/*', guard);
  app.route('/', accessAdminRoutes({ store: deps.auth.store, clock: deps.clock }));
  app.route('/', userDataRoutes(deps.userData));
  for (const routes of deps.extraRoutes ?? []) app.route('/', routes);

  app.notFound((c) => c.json({ error: 'not found' }, 404));
  app.onError(errorHandler);
  return app;
}
