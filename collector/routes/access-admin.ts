import { Hono } from 'hono';
import type { SettingDoc } from '../../storage/settings/settings-store.ts';
import type { Clock } from '../../storage/types.ts';
import {
  ACCOUNT_NAME,
  KEY_SCOPES,
  type AccessStore,
  type AccountBody,
  type Scope,
} from '../access/access-store.ts';
import { badRequest, jsonObject } from '../access/body.ts';
import { passwordProblem } from '../access/passwords.ts';
import { parseRoles, siteName, type Roles } from '../access/roles.ts';

export interface AccessAdminDeps {
  store: AccessStore;
  clock: Clock;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * /api/admin/*: accounts (owner), and a site's API keys and public links (owner, or admin of the
 * site). Who may call which is decided by the access guard before these run (route-access.ts);
 * here only the bodies are checked.
 */
export function accessAdminRoutes(deps: AccessAdminDeps): Hono {
  const { store } = deps;
  const app = new Hono();
  app.use('/api/admin/*', async (c, next) => {
    c.header('Cache-Control', 'no-store');
    await next();
  });

  app.get('/api/admin/users', async (c) => c.json({ users: (await store.accounts()).map(userView) }));

  app.post('/api/admin/users', async (c) => {
    const body = await jsonObject(c);
    const name = accountName(body.name);
    const password = validPassword(body.password);
    const roles = validRoles(body.roles);
    if (await store.account(name)) return c.json({ error: `user ${name} already exists` }, 409);
    await store.createAccount(name, password, roles);
    return c.json({ user: userView((await store.account(name))!) }, 201);
  });

  app.patch('/api/admin/users/:name', async (c) => {
    const body = await jsonObject(c);
    const name = c.req.param('name');
    const change: { password?: string; roles?: Roles } = {};
    if (body.password !== undefined) change.password = validPassword(body.password);
    if (body.roles !== undefined) change.roles = validRoles(body.roles);
    if (!change.password && !change.roles) badRequest('give password or roles');
    if (!(await store.updateAccount(name, change))) return c.json({ error: 'no such user' }, 404);
    return c.json({ user: userView((await store.account(name))!) });
  });

  app.delete('/api/admin/users/:name', async (c) => {
    if (!(await store.removeAccount(c.req.param('name')))) return c.json({ error: 'no such user' }, 404);
    return c.json({ ok: true });
  });

  app.get('/api/admin/keys', async (c) => {
    const site = c.req.query('site');
    const keys = await store.keys(site ? site.toLowerCase() : undefined);
    return c.json({
      keys: keys.map((k) => ({
        id: k.id,
        site: k.site,
        scopes: k.body.scopes,
        name: k.body.name,
        created: iso(k.body.created),
        last_used: iso(k.body.last_used),
      })),
    });
  });

  app.post('/api/admin/keys', async (c) => {
    const body = await jsonObject(c);
    const site = validSite(body.site);
    const scopes = body.scopes;
    if (
      !Array.isArray(scopes) ||
      scopes.length === 0 ||
      !scopes.every((s) => KEY_SCOPES.includes(s as Scope))
    )
      badRequest(`scopes must be a non-empty list of ${KEY_SCOPES.join(', ')}`);
    const name = body.name ?? '';
    if (typeof name !== 'string' || name.length > 100)
      badRequest('name must be a string of at most 100 characters');
    const created = await store.createKey(site, [...new Set(scopes as Scope[])], name);
    return c.json(created, 201);
  });

  app.delete('/api/admin/keys/:id', async (c) => {
    if (!(await store.revokeKey(c.req.param('id')))) return c.json({ error: 'no such key' }, 404);
    return c.json({ ok: true });
  });

  app.get('/api/admin/links', async (c) => {
    const site = c.req.query('site');
    const links = await store.links(site ? site.toLowerCase() : undefined);
    return c.json({
      links: links.map((l) => ({
        id: l.id,
        url: `/share/${l.id}`,
        site: l.site,
        expires: iso(l.body.expires),
        show_users: l.body.show_users,
        has_password: l.body.password !== null,
        created: iso(l.body.created),
      })),
    });
  });

  app.post('/api/admin/links', async (c) => {
    const body = await jsonObject(c);
    const site = validSite(body.site);
    let password: string | null = null;
    if (body.password !== undefined && body.password !== null && body.password !== '')
      password = validPassword(body.password);
    const expires = validExpiry(body.expires, deps.clock());
    if (body.show_users !== undefined && typeof body.show_users !== 'boolean')
      badRequest('show_users must be true or false');
    const { id } = await store.createLink(site, { password, expires, show_users: body.show_users === true });
    return c.json({ id, url: `/share/${id}` }, 201);
  });

  app.delete('/api/admin/links/:id', async (c) => {
    if (!(await store.revokeLink(c.req.param('id')))) return c.json({ error: 'no such link' }, 404);
    return c.json({ ok: true });
  });

  return app;
}

function userView(doc: SettingDoc<AccountBody>) {
  return {
    name: doc.id,
    roles: doc.body.roles,
    created: iso(doc.body.created),
    last_login: iso(doc.body.last_login),
  };
}

function accountName(raw: unknown): string {
  if (typeof raw !== 'string' || !ACCOUNT_NAME.test(raw))
    badRequest('name must be 1 to 64 letters, digits or . _ @ + - (starting with a letter or digit)');
  return raw;
}

function validPassword(raw: unknown): string {
  const problem = passwordProblem(raw);
  if (problem) badRequest(problem);
  return raw as string;
}

function validRoles(raw: unknown): Roles {
  const roles = parseRoles(raw);
  if (typeof roles === 'string') badRequest(roles);
  return roles;
}

function validSite(raw: unknown): string {
  const site = siteName(raw);
  if (!site) badRequest('site must be a domain name');
  return site;
}

/** An ISO date or time, or ms since the epoch, in the future; absent or null: never expires. */
function validExpiry(raw: unknown, now: number): number | null {
  if (raw === undefined || raw === null || raw === '') return null;
  const ms = typeof raw === 'number' ? raw : typeof raw === 'string' ? Date.parse(raw) : NaN;
  if (!Number.isFinite(ms)) badRequest('expires must be an ISO date or time');
  if (ms <= now) badRequest('expires must be in the future');
  return ms;
}
