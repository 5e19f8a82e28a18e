import type { Permission } from './access/roles.ts';

/**
 * Who may call what under /api/analytics and /api/admin, in one table. The guard
 * (access/guard.ts) reads it for every request and the route test walks every row × role × site,
 * so a route's permission is never decided by its HTTP method (two read endpoints are POST, and
 * the write key must never read: security review H2) nor inside a handler.
 *
 * `site` says which sites the permission is needed on:
 * - `request`: the `site` of the query string and of the JSON body (both when both are given);
 *   naming none asks for every site, which needs the permission on `'*'`;
 * - `all`: always every site (erasure and export act on a user id across sites; accounts);
 * - `any`: some site (the site list, narrowed to the requester's sites by the route);
 * - `api-key` / `link`: the site of the key or link named by the path's `:id`;
 * - `setting`: the site of the stored settings document of `kind` named by the path's `:id`, and
 *   the request's own `site` as well when it names one (moving a goal to another site needs both).
 *
 * A request matching no row needs `manage-users` on every site (the owner), so a route added
 * later without a row here is owner-only rather than open to anyone signed in.
 */
export type SiteSource = 'request' | 'all' | 'any' | 'api-key' | 'link' | 'setting';

export interface RouteAccess {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** a Hono path pattern; `:name` matches one path segment */
  path: string;
  need: Permission;
  site: SiteSource;
  /** the request may name identified users (`user` dimension or filter): then `read-users` too */
  usersIn?: 'query' | 'body';
  /** the settings kind of a `setting` route's `:id` */
  kind?: string;
}

export const ROUTES: readonly RouteAccess[] = [
  { method: 'GET', path: '/api/analytics/overall', need: 'read', site: 'request', usersIn: 'query' },
  { method: 'GET', path: '/api/analytics/users', need: 'read-users', site: 'request' },
  { method: 'GET', path: '/api/analytics/user/:user_id', need: 'read-users', site: 'request' },
  { method: 'GET', path: '/api/analytics/user/:user_id/export', need: 'read-users', site: 'all' },
  { method: 'DELETE', path: '/api/analytics/user/:user_id', need: 'erase', site: 'all' },
  { method: 'GET', path: '/api/analytics/realtime', need: 'read', site: 'request', usersIn: 'query' },
  { method: 'POST', path: '/api/analytics/query', need: 'read', site: 'request', usersIn: 'body' },
  { method: 'GET', path: '/api/analytics/funnel', need: 'read', site: 'request', usersIn: 'query' },
  { method: 'POST', path: '/api/analytics/funnel', need: 'read', site: 'request', usersIn: 'body' },
  { method: 'GET', path: '/api/analytics/retention', need: 'read', site: 'request', usersIn: 'query' },
  { method: 'GET', path: '/api/analytics/journeys', need: 'read', site: 'request', usersIn: 'query' },
  { method: 'GET', path: '/api/analytics/virality', need: 'read', site: 'request', usersIn: 'query' },
  { method: 'GET', path: '/api/analytics/sites', need: 'read', site: 'any' },
  { method: 'POST', path: '/api/analytics/track', need: 'track', site: 'request' },
  { method: 'POST', path: '/api/analytics/track-share', need: 'track', site: 'request' },
  { method: 'GET', path: '/api/admin/users', need: 'manage-users', site: 'all' },
  { method: 'POST', path: '/api/admin/users', need: 'manage-users', site: 'all' },
  { method: 'PATCH', path: '/api/admin/users/:name', need: 'manage-users', site: 'all' },
  { method: 'DELETE', path: '/api/admin/users/:name', need: 'manage-users', site: 'all' },
  { method: 'GET', path: '/api/admin/keys', need: 'manage-site', site: 'request' },
  { method: 'POST', path: '/api/admin/keys', need: 'manage-site', site: 'request' },
  { method: 'DELETE', path: '/api/admin/keys/:id', need: 'manage-site', site: 'api-key' },
  { method: 'GET', path: '/api/admin/links', need: 'manage-site', site: 'request' },
  { method: 'POST', path: '/api/admin/links', need: 'manage-site', site: 'request' },
  { method: 'DELETE', path: '/api/admin/links/:id', need: 'manage-site', site: 'link' },
  // Analysis settings (issue 16): the team reads them; a site's admins change them. A change of
  // one stored document needs the right on the site it belongs to (`setting`), so an admin of one
  // site cannot edit another's by its id.
  { method: 'GET', path: '/api/analytics/goals', need: 'read', site: 'request', usersIn: 'query' },
  { method: 'POST', path: '/api/analytics/goals', need: 'manage-site', site: 'request' },
  { method: 'PUT', path: '/api/analytics/goals/:id', need: 'manage-site', site: 'setting', kind: 'goal' },
  { method: 'DELETE', path: '/api/analytics/goals/:id', need: 'manage-site', site: 'setting', kind: 'goal' },
  { method: 'GET', path: '/api/analytics/cards', need: 'read', site: 'request' },
  { method: 'PUT', path: '/api/analytics/cards', need: 'manage-site', site: 'request' },
  { method: 'DELETE', path: '/api/analytics/cards', need: 'manage-site', site: 'request' },
  { method: 'GET', path: '/api/analytics/annotations', need: 'read', site: 'request' },
  { method: 'POST', path: '/api/analytics/annotations', need: 'manage-site', site: 'request' },
  {
    method: 'DELETE',
    path: '/api/analytics/annotations/:id',
    need: 'manage-site',
    site: 'setting',
    kind: 'annotation',
  },
  { method: 'GET', path: '/api/analytics/properties', need: 'read', site: 'request', usersIn: 'query' },
  { method: 'GET', path: '/api/analytics/funnels', need: 'read', site: 'request' },
  { method: 'POST', path: '/api/analytics/funnels', need: 'manage-site', site: 'request' },
  { method: 'PUT', path: '/api/analytics/funnels/:id', need: 'manage-site', site: 'setting', kind: 'funnel' },
  {
    method: 'DELETE',
    path: '/api/analytics/funnels/:id',
    need: 'manage-site',
    site: 'setting',
    kind: 'funnel',
  },
  // Anyone who reads a site may keep segments of it. The handler (server/saved/saved-docs.ts)
  // decides by the segment: a private one only its owner changes, a shared one its owner or an
  // admin of its site.
  { method: 'GET', path: '/api/analytics/segments', need: 'read', site: 'request' },
  { method: 'POST', path: '/api/analytics/segments', need: 'read', site: 'request' },
  { method: 'PUT', path: '/api/analytics/segments/:id', need: 'read', site: 'setting', kind: 'segment' },
  { method: 'DELETE', path: '/api/analytics/segments/:id', need: 'read', site: 'setting', kind: 'segment' },
];

/** The row of an unlisted route under a guarded prefix: the owner only. */
export const UNLISTED: RouteAccess = { method: 'GET', path: '*', need: 'manage-users', site: 'all' };

const compiled = ROUTES.map((route) => ({
  ...route,
  pattern: new RegExp(`^${route.path.replace(/:[a-z_]+/g, '[^/]+')}$`),
}));

/** The row a request falls under: its own, or UNLISTED. */
export function routeFor(method: string, path: string): RouteAccess {
  return compiled.find((r) => r.method === method && r.pattern.test(path)) ?? UNLISTED;
}

/** The permission a request needs (its row's). */
export function accessFor(method: string, path: string): Permission {
  return routeFor(method, path).need;
}
