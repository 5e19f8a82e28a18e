/**
 * Who may call what under /api/analytics, in one table. The guard (auth.ts) reads it and the
 * route test walks every row, so a route's permission is never decided by its HTTP method: two
 * read endpoints are POST, and the write key must never read (security review H2).
 *
 * `admin`: the admin token only. `track`: the admin token or the write key (server-side
 * tracking). A request matching no row needs the admin token, so a route added later without a
 * row here is admin-only rather than open to the write key.
 */
export type Access = 'admin' | 'track';

export interface RouteAccess {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** a Hono path pattern; `:name` matches one path segment */
  path: string;
  access: Access;
}

export const ANALYTICS_ROUTES: readonly RouteAccess[] = [
  { method: 'GET', path: '/api/analytics/overall', access: 'admin' },
  { method: 'GET', path: '/api/analytics/users', access: 'admin' },
  { method: 'GET', path: '/api/analytics/user/:user_id', access: 'admin' },
  { method: 'GET', path: '/api/analytics/user/:user_id/export', access: 'admin' },
  { method: 'DELETE', path: '/api/analytics/user/:user_id', access: 'admin' },
  { method: 'GET', path: '/api/analytics/realtime', access: 'admin' },
  { method: 'POST', path: '/api/analytics/query', access: 'admin' },
  { method: 'GET', path: '/api/analytics/funnel', access: 'admin' },
  { method: 'POST', path: '/api/analytics/funnel', access: 'admin' },
  { method: 'GET', path: '/api/analytics/retention', access: 'admin' },
  { method: 'GET', path: '/api/analytics/journeys', access: 'admin' },
  { method: 'GET', path: '/api/analytics/virality', access: 'admin' },
  { method: 'GET', path: '/api/analytics/sites', access: 'admin' },
  { method: 'GET', path: '/api/analytics/properties', access: 'admin' }, // read
  { method: 'GET', path: '/api/analytics/funnels', access: 'admin' }, // read
  { method: 'POST', path: '/api/analytics/funnels', access: 'admin' }, // manage-site
  { method: 'PUT', path: '/api/analytics/funnels/:id', access: 'admin' }, // manage-site
  { method: 'DELETE', path: '/api/analytics/funnels/:id', access: 'admin' }, // manage-site
  { method: 'GET', path: '/api/analytics/segments', access: 'admin' }, // read
  { method: 'POST', path: '/api/analytics/segments', access: 'admin' }, // manage-site
  { method: 'PUT', path: '/api/analytics/segments/:id', access: 'admin' }, // manage-site
  { method: 'DELETE', path: '/api/analytics/segments/:id', access: 'admin' }, // manage-site
  { method: 'POST', path: '/api/analytics/track', access: 'track' },
  { method: 'POST', path: '/api/analytics/track-share', access: 'track' },
];

const compiled = ANALYTICS_ROUTES.map((route) => ({
  ...route,
  pattern: new RegExp(`^${route.path.replace(/:[a-z_]+/g, '[^/]+')}$`),
}));

/** The access a request needs: its row's, or `admin` when no row matches. */
export function accessFor(method: string, path: string): Access {
  const row = compiled.find((r) => r.method === method && r.pattern.test(path));
  return row?.access ?? 'admin';
}
