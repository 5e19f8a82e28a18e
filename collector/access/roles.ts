/**
 * Roles and what they grant, as plain data: the guard (guard.ts) asks `allows()` for every request
 * under /api/analytics and /api/admin, and the route test walks it. No I/O here.
 */
export const ROLES = ['viewer', 'admin', 'owner'] as const;
export type Role = (typeof ROLES)[number];

/** A site (lower-case domain) or `'*'` for every site, to the role held there. */
export type Roles = Record<string, Role>;

export type Permission =
  /** aggregate figures: overall, realtime, query, funnel, retention, journeys, virality, sites */
  | 'read'
  /** what names identified users: the users table, a user's page, the `user` dimension */
  | 'read-users'
  /** server-side tracking (/api/analytics/track, /track-share) */
  | 'track'
  /** erasing a user id's records */
  | 'erase'
  /** a site's API keys and public links */
  | 'manage-site'
  /** accounts and their roles */
  | 'manage-users';

export const ALL_SITES = '*';

const GRANTS: Record<Role, readonly Permission[]> = {
  viewer: ['read', 'read-users'],
  admin: ['read', 'read-users', 'track', 'erase', 'manage-site'],
  owner: ['read', 'read-users', 'track', 'erase', 'manage-site', 'manage-users'],
};

/** Per site (or `'*'`), what a requester may do there. */
export type Grants = Record<string, readonly Permission[]>;

export function grantsOf(roles: Roles): Grants {
  const grants: Grants = {};
  for (const [site, role] of Object.entries(roles))
    if (Object.hasOwn(GRANTS, role)) grants[site] = GRANTS[role];
  return grants;
}

/** A site's own grants; never an inherited property (`?site=constructor`, `__proto__`). */
function grantsOn(grants: Grants, site: string): readonly Permission[] {
  return Object.hasOwn(grants, site) ? grants[site]! : [];
}

/**
 * The sites a request is about: a list, or `'*'` when it names none (every site), or `'any'`
 * for the site list, which each requester sees narrowed to its own sites.
 */
export type Scope = readonly string[] | '*' | 'any';

/** Whether `grants` hold `need` on every site of `scope`; a `'*'` grant covers every site. */
export function allows(grants: Grants, need: Permission, scope: Scope): boolean {
  if (grantsOn(grants, ALL_SITES).includes(need)) return true;
  if (scope === '*') return false;
  if (scope === 'any') return Object.values(grants).some((list) => list.includes(need));
  return scope.length > 0 && scope.every((site) => grantsOn(grants, site).includes(need));
}

/** The sites of `sites` the grants allow `need` on. */
export function permittedSites(grants: Grants, need: Permission, sites: readonly string[]): string[] {
  return sites.filter((site) => allows(grants, need, [site]));
}

const SITE = /^[a-z0-9.-]+(:\d{1,5})?$/;

/** A site name as queries spell it (lower case), or null when it could not be one. */
export function siteName(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const site = raw.toLowerCase();
  return site.length <= 253 && SITE.test(site) ? site : null;
}

/** Checks a roles map from a request or the CLI: the reason it is refused, or the map itself. */
export function parseRoles(raw: unknown): Roles | string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return 'roles must be an object of site (or "*") to role';
  const roles: Roles = {};
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length === 0) return 'roles must give at least one site (or "*") a role';
  if (entries.length > 1000) return 'roles: at most 1000 sites';
  for (const [key, role] of entries) {
    const site = key === ALL_SITES ? key : siteName(key);
    if (!site) return `roles: ${JSON.stringify(key).slice(0, 80)} is not a site name or "*"`;
    if (!ROLES.includes(role as Role)) return `roles: the role of ${site} must be one of ${ROLES.join(', ')}`;
    if (role === 'owner' && site !== ALL_SITES) return 'roles: owner is a role for "*" only';
    roles[site] = role as Role;
  }
  return roles;
}
