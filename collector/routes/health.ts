import { Hono } from 'hono';

/** GET /healthz: liveness plus the counters an operator needs (writes, drops, quarantine). */
export function healthRoutes(report: () => Record<string, unknown>): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json({ ok: true, ...report() });
  });
  return app;
}
