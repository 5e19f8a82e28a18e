import { Hono, type Context } from 'hono';

export interface HealthDeps {
  /** liveness and readiness only: safe for anyone (load balancers, the dashboard's progress bar) */
  readiness: () => Record<string, unknown>;
  /** the operator's counters (writes, drops, quarantine, index size, the last write error) */
  details: () => Record<string, unknown>;
  /** null when the request carries the admin token, else the 401/429 answer */
  authorize: (c: Context) => Response | null;
}

/**
 * GET /healthz: readiness for everyone; the counters only with the admin token, since they give
 * away live traffic figures and error text with paths (security review L2). A request that sends
 * a token has it checked like any admin request, so this is no side door for guessing it.
 */
export function healthRoutes(deps: HealthDeps): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => {
    c.header('Cache-Control', 'no-store');
    // Only a Bearer token asks for the details; a load balancer's own credentials get readiness.
    if (!/^bearer\s/i.test(c.req.header('authorization') ?? ''))
      return c.json({ ok: true, ...deps.readiness() });
    const refused = deps.authorize(c);
    if (refused) return refused;
    return c.json({ ok: true, ...deps.readiness(), ...deps.details() });
  });
  return app;
}
