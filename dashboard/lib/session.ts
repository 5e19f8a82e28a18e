// Who is looking at the dashboard and what they may do: the answer of the sign-in routes, read
// once and then only asked. The server decides every permission; the page only hides what the
// server would refuse, so a viewer is not offered buttons that end in 403.

import { segmentOwner, type Segment } from '../../shared/api.ts';

export const ROLES = ['owner', 'admin', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Roles per site; `*` is every site. */
export type Roles = Record<string, Role>;

export interface Session {
  kind: 'account' | 'token' | 'link';
  /** the account's name; absent for a public link */
  name: string | null;
  roles: Roles;
  /** sent back as X-CSRF-Token on every state-changing request; kept in memory only */
  csrf: string;
  /** a public link's one site */
  site: string | null;
  /** a public link that may show the users table and user pages */
  showUsers: boolean;
  /** a public link's id, when the collector names it (so a reload can keep its session) */
  link: string | null;
}

const isRole = (v: unknown): v is Role => typeof v === 'string' && (ROLES as readonly string[]).includes(v);

/**
 * Reads a sign-in answer (login, token, me, link). Anything malformed is null, so a proxy's page
 * or an old collector sends the admin back to the sign-in form instead of into a broken app.
 */
export function readSession(body: unknown): Session | null {
  if (!body || typeof body !== 'object') return null;
  const b = body as Record<string, unknown>;
  if (b.kind !== 'account' && b.kind !== 'token' && b.kind !== 'link') return null;
  if (!b.roles || typeof b.roles !== 'object') return null;
  const roles: Roles = {};
  for (const [site, role] of Object.entries(b.roles as Record<string, unknown>))
    if (isRole(role)) roles[site] = role;
  const user = b.user as { name?: unknown } | undefined;
  const name = typeof user?.name === 'string' ? user.name : null;
  const site =
    typeof b.site === 'string' ? b.site : b.kind === 'link' ? (Object.keys(roles)[0] ?? null) : null;
  return {
    kind: b.kind,
    name: b.kind === 'token' ? (name ?? 'admin token') : name,
    roles,
    csrf: typeof b.csrf === 'string' ? b.csrf : '',
    site,
    showUsers: b.kind !== 'link' || b.show_users === true,
    link: b.kind === 'link' && typeof b.link === 'string' ? b.link : null,
  };
}

const RANK: Record<Role, number> = { owner: 3, admin: 2, viewer: 1 };

// Own keys only: a site named "constructor" or "__proto__" (a crafted ?site=) is no grant.
const own = (roles: Roles, site: string): Role | null =>
  Object.prototype.hasOwnProperty.call(roles, site) ? roles[site]! : null;

/** The session's role on `site` ('' = all sites together, which takes a role on every site). */
export function roleOn(session: Session, site: string): Role | null {
  const every = own(session.roles, '*');
  if (!site) return every;
  const mine = own(session.roles, site);
  if (!mine) return every;
  if (!every) return mine;
  return RANK[mine] >= RANK[every] ? mine : every;
}

/** The highest role the session holds anywhere (the team page opens for an admin of any site). */
export function topRole(session: Session): Role | null {
  let top: Role | null = null;
  for (const role of Object.values(session.roles)) if (!top || RANK[role] > RANK[top]) top = role;
  return top;
}

/** What the dashboard offers, by the least role that may do it (the server checks again). */
export type Capability = 'team' | 'users' | 'keys' | 'links' | 'settings' | 'erase' | 'all-sites';

const NEEDS: Record<Exclude<Capability, 'team' | 'all-sites'>, Role> = {
  users: 'owner',
  keys: 'admin',
  links: 'admin',
  settings: 'admin',
  erase: 'admin',
};

/**
 * Whether the session may use a control on `site` ('' = all sites). A public link may use none:
 * it reads its one site. "team" is the Team & sharing page (users, or keys and links somewhere).
 */
export function can(session: Session, capability: Capability, site = ''): boolean {
  if (session.kind === 'link') return false;
  if (capability === 'all-sites') return roleOn(session, '') !== null;
  if (capability === 'team') {
    const top = topRole(session);
    return top !== null && RANK[top] >= RANK.admin;
  }
  // Erasure acts on every site's records of a user id, so it takes a role on every site.
  const role = capability === 'erase' ? roleOn(session, '') : site ? roleOn(session, site) : topRole(session);
  return role !== null && RANK[role] >= RANK[NEEDS[capability]];
}

/**
 * Whether the session may change or delete a saved segment, as the collector decides it
 * (server/saved/saved-docs.ts): its owner may, and an admin (or owner) of its site may if it is
 * shared. A public link saves and changes none; it only applies the shared ones.
 */
export function mayChangeSegment(
  session: Session,
  segment: Pick<Segment, 'site' | 'owner' | 'shared'>,
): boolean {
  if (session.kind === 'link') return false;
  if (session.name !== null && segment.owner === segmentOwner(session.kind, session.name)) return true;
  const role = roleOn(session, segment.site);
  return segment.shared && role !== null && RANK[role] >= RANK.admin;
}

/** The sites of `listed` where the session holds at least `least` (every one under a `*` role). */
export function sitesWith(session: Session, listed: readonly string[], least: Role): string[] {
  return listed.filter((site) => {
    const role = roleOn(session, site);
    return role !== null && RANK[role] >= RANK[least];
  });
}

/**
 * The site a view may show: a public link shows its own site whatever the URL says, and a
 * session without an all-sites role falls back to its first permitted site instead of asking the
 * API for "all sites" and getting a 403.
 */
export function allowedSite(session: Session, asked: string, sites: readonly string[]): string {
  if (session.kind === 'link') return session.site ?? '';
  if (asked && roleOn(session, asked)) return asked;
  if (can(session, 'all-sites')) return '';
  return sites.find((s) => roleOn(session, s)) ?? Object.keys(session.roles)[0] ?? '';
}

/** "viewer of blog.example.com, admin of shop.example.com", "owner of every site". */
export function describeRoles(roles: Roles): string {
  const parts = Object.entries(roles)
    .sort(([a], [b]) => (a === '*' ? -1 : b === '*' ? 1 : a.localeCompare(b)))
    .map(([site, role]) => `${role} of ${site === '*' ? 'every site' : site}`);
  return parts.length ? parts.join(', ') : 'no access';
}

/**
 * The admin token from the #token= fragment that `npm start` prints, and the fragment without it.
 * Fragments never reach the server or its logs; the token is exchanged once for a session and
 * never stored.
 */
export function takeHashToken(hash: string): { token: string | null; hash: string } {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const token = params.get('token');
  if (!token) return { token: null, hash };
  params.delete('token');
  const rest = params.toString();
  return { token, hash: rest ? `#${rest}` : '' };
}

/** The public link id of a /share/<id> page, or null on the admin dashboard. */
export function shareId(pathname: string): string | null {
  const m = /^\/share\/([^/]+)\/?$/.exec(pathname);
  if (!m) return null;
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    return null;
  }
}
