// The Team & sharing page's data: accounts, API keys and public links through the admin API,
// and the pure rules of its forms. Every name, site and label here came from a browser at some
// point, so the page renders them as text only.

import type { ApiClient } from './api.ts';
import { ROLES, type Role, type Roles } from './session.ts';

export interface TeamUser {
  name: string;
  roles: Roles;
  /** epoch ms (or an ISO date from an older collector) */
  created: number | string | null;
  last_login: number | string | null;
}

export type Scope = 'read' | 'track';
export const SCOPES: readonly Scope[] = ['read', 'track'];

export interface ApiKey {
  id: string;
  site: string;
  name: string;
  scopes: Scope[];
  created: number | string | null;
}

export interface PublicLink {
  id: string;
  site: string;
  url: string;
  expires: number | string | null;
  show_users: boolean;
  has_password: boolean;
  created: number | string | null;
}

/** A list answer as `{users: [...]}` or a bare array. */
function list<T>(body: unknown, field: string): T[] {
  if (Array.isArray(body)) return body as T[];
  const inner = body && typeof body === 'object' ? (body as Record<string, unknown>)[field] : null;
  return Array.isArray(inner) ? (inner as T[]) : [];
}

const ADMIN = '/api/admin';
const enc = encodeURIComponent;

export const teamApi = (api: ApiClient) => ({
  users: async () => list<TeamUser>((await api.get(`${ADMIN}/users`)).data, 'users'),
  addUser: (name: string, password: string, roles: Roles) =>
    api.post(`${ADMIN}/users`, { name, password, roles }),
  setRoles: (name: string, roles: Roles) => api.patch(`${ADMIN}/users/${enc(name)}`, { roles }),
  setPassword: (name: string, password: string) => api.patch(`${ADMIN}/users/${enc(name)}`, { password }),
  removeUser: (name: string) => api.delete(`${ADMIN}/users/${enc(name)}`),
  keys: async (site: string) => list<ApiKey>((await api.get(`${ADMIN}/keys`, { site })).data, 'keys'),
  addKey: async (site: string, name: string, scopes: Scope[]) =>
    (await api.post<{ id: string; key: string }>(`${ADMIN}/keys`, { site, name, scopes })).data,
  revokeKey: (id: string) => api.delete(`${ADMIN}/keys/${enc(id)}`),
  links: async (site: string) => list<PublicLink>((await api.get(`${ADMIN}/links`, { site })).data, 'links'),
  addLink: async (site: string, options: LinkOptions) =>
    (await api.post<{ id: string; url: string }>(`${ADMIN}/links`, { site, ...options })).data,
  revokeLink: (id: string) => api.delete(`${ADMIN}/links/${enc(id)}`),
});
export type TeamApi = ReturnType<typeof teamApi>;

/** One line of the roles editor; site '*' is every site. */
export interface RoleRow {
  site: string;
  role: Role;
}

export function roleRows(roles: Roles): RoleRow[] {
  return Object.entries(roles)
    .map(([site, role]) => ({ site, role }))
    .sort((a, b) => (a.site === '*' ? -1 : b.site === '*' ? 1 : a.site.localeCompare(b.site)));
}

/** The roles the editor may offer on a site: the collector keeps `owner` for every site only. */
export function rolesFor(site: string): readonly Role[] {
  return site === '*' ? ROLES : ROLES.filter((r) => r !== 'owner');
}

/** The editor's rows as the API's roles, or why they cannot be saved. */
export function rowsToRoles(rows: readonly RoleRow[]): { roles: Roles } | { problem: string } {
  if (rows.length === 0)
    return { problem: 'Give at least one role: someone with none could not see anything.' };
  const roles: Roles = {};
  for (const { site, role } of rows) {
    if (!site) return { problem: 'Pick a site for every role.' };
    if (Object.prototype.hasOwnProperty.call(roles, site))
      return { problem: `${site === '*' ? 'Every site' : site} is listed twice.` };
    if (!rolesFor(site).includes(role)) return { problem: 'Owner is a role for every site only.' };
    roles[site] = role;
  }
  return { roles };
}

/** Why a new account cannot be sent yet (the collector judges the password's strength). */
export function newUserProblem(name: string, password: string): string | null {
  if (!name.trim()) return 'Give the account a username.';
  if (!password) return 'Give the account a password.';
  return null;
}

export interface LinkOptions {
  password?: string;
  /** epoch ms after which the link stops working */
  expires?: number;
  show_users?: boolean;
}

/**
 * The link form as the API's options: an expiry date (YYYY-MM-DD) means the end of that UTC day,
 * the day the admin picked, and must not be in the past.
 */
export function linkOptions(
  form: { password: string; expires: string; showUsers: boolean },
  now: number,
): { options: LinkOptions } | { problem: string } {
  const options: LinkOptions = {};
  if (form.password) options.password = form.password;
  if (form.expires) {
    const end = Date.parse(`${form.expires}T23:59:59.999Z`);
    if (Number.isNaN(end)) return { problem: 'The expiry date is not a date.' };
    if (end <= now) return { problem: 'The expiry date is in the past.' };
    options.expires = end;
  }
  if (form.showUsers) options.show_users = true;
  return { options };
}

/** The address to hand out for a link: only our own /share/ path, whatever the answer holds. */
export function shareUrl(origin: string, link: { id: string; url?: string }): string {
  return `${origin}/share/${enc(link.id)}`;
}

/** A time from the admin API as "5 Dec 2026, 14:05 UTC", or "never". */
export function when(value: number | string | null | undefined): string {
  if (value === null || value === undefined || value === '' || value === 0) return 'never';
  const t = typeof value === 'number' ? value : Date.parse(value);
  if (Number.isNaN(t)) return 'unknown';
  return `${new Date(t).toLocaleString('en-GB', {
    timeZone: 'UTC',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  })} UTC`;
}
