import type { Context, MiddlewareHandler } from 'hono';
import { routeFor } from '../route-access.ts';
import type { Principal, AccessDeps } from './principal.ts';
import { principalOf } from './principal.ts';
import { requestScope } from './request-scope.ts';
import { allows, permittedSites, type Permission } from './roles.ts';

declare module 'hono' {
  interface ContextVariableMap {
    /** set by the access guard on every request it lets through */
    principal: Principal;
  }
}

/**
 * The one guard of /api/analytics and /api/admin: who is asking (principal.ts), what the route
 * needs (route-access.ts), on which sites (request-scope.ts), and whether their roles allow it
 * (roles.ts). 401 when no credential holds, 403 when it holds but not for this.
 */
export function accessGuard(deps: AccessDeps): MiddlewareHandler {
  return async (c, next) => {
    const who = await principalOf(c, deps);
    if (who instanceof Response) return who;
    const route = routeFor(c.req.method, c.req.path);
    const asked = await requestScope(c, route, deps.store);
    if (asked instanceof Response) return asked;
    if (!allows(who.grants, route.need, asked.scope))
      return c.json({ error: refusal(route.need, asked.scope, who) }, 403);
    if (asked.namesUsers && !allows(who.grants, 'read-users', asked.scope))
      return c.json({ error: 'this access cannot see identified users' }, 403);
    c.set('principal', who);
    await next();
  };
}

function refusal(need: Permission, scope: readonly string[] | '*' | 'any', who: Principal): string {
  if (scope === '*' && Object.values(who.grants).some((list) => list.includes(need)))
    return 'name a site: your access covers only some sites';
  return `not allowed: needs ${need}${Array.isArray(scope) ? ` on ${scope.join(', ')}` : ''}`;
}

/** The requester of a guarded request (set by accessGuard). */
export function requester(c: Context): Principal {
  return c.get('principal');
}

/** Whether the requester may see identified users on `site` (null: every site). */
export function seesUsers(c: Context, site: string | null): boolean {
  // A route mounted without the guard has no requester: it shows no one rather than failing.
  const who = c.get('principal') as Principal | undefined;
  return who !== undefined && allows(who.grants, 'read-users', site === null ? '*' : [site]);
}

/** The sites of `sites` the requester may read, for the site switcher. */
export function readableSites(c: Context, sites: readonly string[]): string[] {
  return permittedSites(requester(c).grants, 'read', sites);
}
