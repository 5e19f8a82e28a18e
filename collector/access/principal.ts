import type { Context } from 'hono';
import type { Clock } from '../../storage/types.ts';
import { tokenMatches } from '../admin-token.ts';
import { bearerToken, type FailedAuthLimiter } from '../auth.ts';
import { KEY_PREFIX, sameSecret, type AccessStore, type Scope, type Session } from './access-store.ts';
import {
  clearSessionCookie,
  sameOrigin,
  sendSessionCookie,
  sessionCookie,
  type RequestSide,
} from './cookie.ts';
import { ALL_SITES, grantsOf, type Grants, type Roles } from './roles.ts';

/** Who a request comes from, and what it may do where. */
export interface Principal {
  kind: 'token' | 'account' | 'link' | 'api-key' | 'write-key';
  /** the account's or the key's name; 'owner' for the admin token */
  name: string;
  /** the roles shown to the dashboard (`/api/auth/me`) */
  roles: Roles;
  grants: Grants;
  /** set when the request came with the session cookie */
  session: Session | null;
  /** a link's or an API key's one site */
  site?: string;
  show_users?: boolean;
  scopes?: Scope[];
}

export interface AccessDeps extends RequestSide {
  store: AccessStore;
  adminToken: string;
  /** ANALYTICS_WRITE_KEY: tracking on every site, nothing else */
  writeKey: string | null;
  /** wrong Bearer tokens per client (auth.ts), the same limiter as before accounts existed */
  failures: FailedAuthLimiter;
  clientIp: (c: Context) => string;
  clock: Clock;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export const OWNER: Omit<Principal, 'session'> = {
  kind: 'token',
  name: 'owner',
  roles: { [ALL_SITES]: 'owner' },
  grants: grantsOf({ [ALL_SITES]: 'owner' }),
};

function refuse(c: Context, status: 401 | 403 | 429, error: string): Response {
  if (status === 401) c.header('WWW-Authenticate', 'Bearer realm="analytics"');
  return c.json({ error }, status);
}

/**
 * The requester, from a Bearer credential (the admin token, the write key, an API key) or else
 * the session cookie; the 401/403/429 answer when there is none that holds. Error messages never
 * repeat what was sent.
 *
 * Wrong Bearer tokens are counted per client and a client over the limit gets 429 even with the
 * right one (auth.ts). A cookie request that changes something must carry the session's CSRF
 * token and no foreign Origin.
 */
export async function principalOf(c: Context, deps: AccessDeps): Promise<Principal | Response> {
  const given = bearerToken(c);
  if (given !== null) return bearerPrincipal(c, deps, given);
  const cookie = sessionCookie(c);
  if (cookie === null) return refuse(c, 401, 'sign in, or send the admin token or an API key');
  const session = await deps.store.session(cookie, deps.adminToken);
  if (!session) {
    clearSessionCookie(c, deps);
    return refuse(c, 401, 'session expired or signed out: sign in again');
  }
  if (UNSAFE.has(c.req.method)) {
    if (!sameOrigin(c, deps)) return refuse(c, 403, 'cross-origin request refused');
    const csrf = c.req.header('x-csrf-token') ?? '';
    if (!sameSecret(csrf, session.body.csrf)) return refuse(c, 403, 'missing or wrong X-CSRF-Token header');
  }
  if (session.slid) sendSessionCookie(c, cookie, session.body.expires, deps.clock(), deps);
  return sessionPrincipal(session, deps);
}

/** What a live session stands for, with the account's current roles (a change counts at once). */
export async function sessionPrincipal(session: Session, deps: AccessDeps): Promise<Principal> {
  const body = session.body;
  if (body.kind === 'token') return { ...OWNER, session };
  if (body.kind === 'link') {
    const link = await deps.store.link(body.link ?? '');
    const site = body.site!;
    const showUsers = link?.body.show_users ?? false;
    return {
      kind: 'link',
      name: 'public link',
      roles: { [site]: 'viewer' },
      grants: { [site]: showUsers ? ['read', 'read-users'] : ['read'] },
      session,
      site,
      show_users: showUsers,
    };
  }
  const account = await deps.store.account(body.user ?? '');
  const roles = account?.body.roles ?? {};
  return { kind: 'account', name: body.user ?? '', roles, grants: grantsOf(roles), session };
}

async function bearerPrincipal(c: Context, deps: AccessDeps, given: string): Promise<Principal | Response> {
  const ip = deps.clientIp(c);
  const now = deps.clock();
  const wait = deps.failures.blockedFor(ip, now);
  if (wait > 0) {
    c.header('Retry-After', String(wait));
    return refuse(c, 429, 'too many failed authentication attempts');
  }
  if (tokenMatches(given, deps.adminToken)) return { ...OWNER, session: null };
  if (deps.writeKey !== null && tokenMatches(given, deps.writeKey))
    return {
      kind: 'write-key',
      name: 'write key',
      roles: {},
      grants: { [ALL_SITES]: ['track'] },
      session: null,
    };
  const key = given.startsWith(KEY_PREFIX) ? await deps.store.verifyKey(given) : null;
  if (key && key.site !== null) {
    const scopes = key.body.scopes;
    return {
      kind: 'api-key',
      name: key.body.name,
      roles: {},
      grants: {
        [key.site]: [
          ...(scopes.includes('read') ? (['read', 'read-users'] as const) : []),
          ...(scopes.includes('track') ? (['track'] as const) : []),
        ],
      },
      session: null,
      site: key.site,
      scopes,
    };
  }
  deps.failures.fail(ip, now);
  return refuse(c, 401, 'invalid token');
}
