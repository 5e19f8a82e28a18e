import { Hono, type Context } from 'hono';
import type { SessionBody } from '../access/access-store.ts';
import { tokenFingerprint } from '../access/access-store.ts';
import { jsonObject } from '../access/body.ts';
import { clearSessionCookie, sameOrigin, sendSessionCookie, sessionCookie } from '../access/cookie.ts';
import { principalOf, sessionPrincipal, type AccessDeps, type Principal } from '../access/principal.ts';
import { verifyPassword } from '../access/passwords.ts';
import type { LoginThrottle } from '../access/throttle.ts';
import { tokenMatches } from '../admin-token.ts';

export interface AuthRouteDeps extends AccessDeps {
  logins: LoginThrottle;
}

/** What the dashboard learns about the requester: the same shape from login, link and me. */
export function describe(who: Principal): Record<string, unknown> {
  const csrf = who.session?.body.csrf ?? null;
  // The link's id lets the /share/<id> page see, after a reload, that the cookie already holds
  // this link's session (it asks for the password only otherwise). It is the page's own URL.
  if (who.kind === 'link')
    return {
      kind: 'link',
      link: who.session?.body.link ?? null,
      site: who.site,
      show_users: who.show_users ?? false,
      roles: who.roles,
      csrf,
    };
  if (who.kind === 'api-key' || who.kind === 'write-key')
    return {
      kind: who.kind,
      name: who.name,
      site: who.site ?? null,
      scopes: who.scopes ?? ['track'],
      roles: who.roles,
    };
  return { user: { name: who.name }, kind: who.kind, roles: who.roles, csrf };
}

/**
 * /api/auth/*: signing in (an account's password, the admin token, a public link's id and
 * password), who am I, and signing out. Sign-ins answer like `me` and set the session cookie
 * (access/cookie.ts). Failed passwords are throttled per (account, client) and per client
 * (access/throttle.ts); the admin token's guesses count in the same limiter as Bearer guesses.
 */
export function authRoutes(deps: AuthRouteDeps): Hono {
  const app = new Hono();
  // A sign-in from another site's page would plant the attacker's session in the victim's browser.
  app.use('/api/auth/*', async (c, next) => {
    c.header('Cache-Control', 'no-store');
    if (c.req.method === 'POST' && !sameOrigin(c, deps))
      return c.json({ error: 'cross-origin request refused' }, 403);
    await next();
  });

  app.post('/api/auth/login', async (c) => {
    const body = await jsonObject(c);
    const { username, password } = body;
    if (typeof username !== 'string' || typeof password !== 'string' || username === '' || password === '')
      return c.json({ error: 'username and password are required' }, 400);
    if (username.length > 200 || password.length > 1024)
      return c.json({ error: 'wrong username or password' }, 401);
    const ip = deps.clientIp(c);
    const wait = deps.logins.blockedFor(ip, username, deps.clock());
    if (wait > 0) return tooMany(c, wait);
    const account = await deps.store.login(username, password);
    if (!account) {
      deps.logins.fail(ip, username, deps.clock());
      return c.json({ error: 'wrong username or password' }, 401);
    }
    return startSession(c, deps, { kind: 'account', user: account.id, generation: account.body.generation });
  });

  app.post('/api/auth/token', async (c) => {
    const { token } = await jsonObject(c);
    if (typeof token !== 'string' || token === '') return c.json({ error: 'token is required' }, 400);
    const ip = deps.clientIp(c);
    const wait = deps.failures.blockedFor(ip, deps.clock());
    if (wait > 0) return tooMany(c, wait);
    if (!tokenMatches(token, deps.adminToken)) {
      deps.failures.fail(ip, deps.clock());
      return c.json({ error: 'invalid token' }, 401);
    }
    return startSession(c, deps, { kind: 'token', token: tokenFingerprint(deps.adminToken) });
  });

  app.post('/api/auth/link', async (c) => {
    const { id, password } = await jsonObject(c);
    if (typeof id !== 'string' || id === '') return c.json({ error: 'id is required' }, 400);
    if (password !== undefined && password !== null && typeof password !== 'string')
      return c.json({ error: 'password must be a string' }, 400);
    const ip = deps.clientIp(c);
    const throttleKey = `link:${id.slice(0, 64)}`;
    const wait = deps.logins.blockedFor(ip, throttleKey, deps.clock());
    if (wait > 0) return tooMany(c, wait);
    const link = await deps.store.link(id);
    const now = deps.clock();
    if (!link || link.site === null || (link.body.expires !== null && link.body.expires <= now)) {
      deps.logins.fail(ip, throttleKey, now);
      return c.json({ error: 'this link does not exist, has expired or was revoked' }, 401);
    }
    if (link.body.password !== null) {
      if (typeof password !== 'string' || password === '')
        return c.json({ error: 'this link needs a password', password_required: true }, 401);
      if (!(await verifyPassword(password, link.body.password))) {
        deps.logins.fail(ip, throttleKey, now);
        return c.json({ error: 'wrong password', password_required: true }, 401);
      }
    }
    return startSession(c, deps, {
      kind: 'link',
      link: link.id,
      site: link.site,
      ...(link.body.expires !== null ? { expires: link.body.expires } : {}),
    });
  });

  app.get('/api/auth/me', async (c) => {
    const who = await principalOf(c, deps);
    if (who instanceof Response) return who;
    return c.json(describe(who));
  });

  app.post('/api/auth/logout', async (c) => {
    if (sessionCookie(c) === null) return c.json({ ok: true });
    const who = await principalOf(c, deps);
    // A session already gone is signed out: only the cookie is left to clear.
    if (who instanceof Response && who.status === 401) {
      clearSessionCookie(c, deps);
      return c.json({ ok: true });
    }
    if (who instanceof Response) return who;
    if (who.session) await deps.store.endSession(who.session.hash);
    clearSessionCookie(c, deps);
    return c.json({ ok: true });
  });

  app.post('/api/auth/logout-all', async (c) => {
    const who = await principalOf(c, deps);
    if (who instanceof Response) return who;
    if (who.kind === 'account') await deps.store.endSessions(who.name);
    else if (who.kind === 'token') await deps.store.endTokenSessions();
    else if (who.session) await deps.store.endSession(who.session.hash);
    if (who.session) clearSessionCookie(c, deps);
    return c.json({ ok: true });
  });

  return app;
}

function tooMany(c: Context, wait: number): Response {
  c.header('Retry-After', String(wait));
  return c.json({ error: 'too many failed sign-in attempts, retry later' }, 429);
}

async function startSession(
  c: Context,
  deps: AuthRouteDeps,
  spec: Pick<SessionBody, 'kind' | 'user' | 'generation' | 'link' | 'site' | 'token'> & { expires?: number },
): Promise<Response> {
  const { cookie } = await deps.store.createSession(spec);
  const session = await deps.store.session(cookie, deps.adminToken);
  if (!session) return c.json({ error: 'session could not be started' }, 503);
  sendSessionCookie(c, cookie, session.body.expires, deps.clock(), deps);
  return c.json(describe(await sessionPrincipal(session, deps)));
}
