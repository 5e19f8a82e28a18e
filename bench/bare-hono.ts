/**
 * The ceiling for the ingest benchmark: a bare Hono app on @hono/node-server that reads the same
 * POST body and answers 204, with none of the collector's work (validation, parsing, hashing,
 * fsync). Prints "listening on http://…" like the collector so the runner finds its port.
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();
app.post('/api/event', async (c) => {
  await c.req.text();
  return c.body(null, 204);
});

serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 0), hostname: '127.0.0.1' }, (info) => {
  console.log(`bare hono listening on http://127.0.0.1:${info.port}`);
});
process.on('SIGTERM', () => process.exit(0));
