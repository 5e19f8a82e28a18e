import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { readBodyLimited } from '../../collector/read-body.ts';
import { QueryError } from '../../shared/query-error.ts';
import { csvLines } from '../../query/csv.ts';
import type { QueryService } from '../../query/service.ts';
import type { QueryResponse } from '../../shared/api.ts';
import { filtersParam, int } from '../../query/validate.ts';
import { readableSites, seesUsers } from '../../collector/access/guard.ts';

/**
 * The seed's read endpoints (overall, users, user/{id}, realtime) and the reports. The admin
 * token is checked by the app's guard on /api/analytics/*; here only parameters are.
 */
export function analyticsRoutes(service: QueryService, configuredSites: readonly string[] = []): Hono {
  const app = new Hono();
  // The site switcher's list: ANALYTICS_SITES and the sites the data holds, those the requester may read.
  app.get('/api/analytics/sites', (c) =>
    answer(c, async () => {
      const all = await service.sites(configuredSites);
      const sites = readableSites(c, all.sites);
      const applies = Object.fromEntries(sites.map((site) => [site, all.applies[site]!]));
      const keep = (list: string[]) => list.filter((site) => sites.includes(site));
      return { ...all, sites, configured: keep(all.configured), seen: keep(all.seen), applies };
    }),
  );
  app.get('/api/analytics/overall', (c) => answer(c, () => service.overall(c.req.query())));
  app.get('/api/analytics/users', (c) => answer(c, () => service.users(c.req.query())));
  app.get('/api/analytics/user/:user_id', (c) =>
    answer(c, async () => {
      const user = await service.user(c.req.param('user_id'), c.req.query());
      if (!user) return notFound(c);
      return user;
    }),
  );
  app.get('/api/analytics/realtime', (c) =>
    answer(c, async () => {
      const live = await service.realtime(c.req.query());
      // A public link without show_users sees the live events, not who did them.
      if (seesUsers(c, c.req.query('site') || null)) return live;
      return { ...live, events: live.events.map((event) => ({ ...event, user: '' })) };
    }),
  );
  app.post('/api/analytics/query', (c) =>
    answer(c, async () => {
      const format = c.req.query('format');
      if (format === undefined || format === 'json') return service.query(await json(c), c.req.query('site'));
      if (format !== 'csv') throw new QueryError('format must be json or csv');
      return csvResponse(await service.queryAll(await json(c), c.req.query('site')));
    }),
  );
  app.post('/api/analytics/funnel', (c) =>
    answer(c, async () => service.funnel(await json(c), c.req.query('site'))),
  );
  app.get('/api/analytics/funnel', (c) =>
    answer(c, () => service.funnel(dateRangeParams(c.req.query()), c.req.query('site'))),
  );
  app.get('/api/analytics/retention', (c) =>
    answer(c, () => service.retention(dateRangeParams(c.req.query()))),
  );
  app.get('/api/analytics/journeys', (c) =>
    answer(c, () => service.journeys(dateRangeParams(c.req.query()))),
  );
  app.get('/api/analytics/virality', (c) => answer(c, () => service.virality(c.req.query())));
  return app;
}

/**
 * Runs a handler and answers its result as JSON, never cached. Its errors (QueryError → 400,
 * QueryTimeoutError → 503 + Retry-After) are answered by the app's one error handler (app.ts).
 */
export async function answer(c: Context, run: () => Promise<unknown>): Promise<Response> {
  c.header('Cache-Control', 'no-store');
  const result = await run();
  return result instanceof Response ? result : c.json(result as object);
}

/** Query and funnel bodies are a few hundred bytes; 256 KiB leaves room for long filter lists. */
export const MAX_QUERY_BODY_BYTES = 256 * 1024;

/** A JSON request body; malformed JSON is a 400, not a 500, and an oversized one a 413 read no further. */
export async function json(c: Context): Promise<unknown> {
  const text = await readBodyLimited(c.req.raw, MAX_QUERY_BODY_BYTES);
  if (text === null) throw new HTTPException(413, { message: `body exceeds ${MAX_QUERY_BODY_BYTES} bytes` });
  try {
    return JSON.parse(text);
  } catch {
    throw new QueryError('body is not valid JSON');
  }
}

/** The rows as a streamed CSV download, a batch of lines per chunk (see csvLines). */
function csvResponse(result: QueryResponse): Response {
  const lines = csvLines(result);
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = lines.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
  });
  const name = ['query', ...result.query.dimensions].join('-').replace(/[^a-z0-9_-]+/gi, '_');
  return new Response(body, {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${name}.csv"`,
      'Cache-Control': 'no-store',
      'X-Total-Rows': String(result.total_rows),
    },
  });
}

function notFound(c: Context): Response {
  return c.json({ error: 'no such user in this range' }, 404);
}

/**
 * `date_range=7d` or `from=…&to=…` in a query string, as the report bodies spell it; `filters`
 * (and the funnel's `steps`) are JSON text, `window_minutes` a number.
 */
function dateRangeParams(query: Record<string, string>): Record<string, unknown> {
  const { from, to, date_range, site, limit, filters, steps, window_minutes } = query;
  const out: Record<string, unknown> = {};
  if (site) out.site = site;
  if (limit) out.limit = limit;
  if (filters) out.filters = filtersParam(filters);
  if (steps) out.steps = jsonParam(steps, 'steps');
  if (window_minutes) out.window_minutes = int(window_minutes, 'window_minutes', 0, 1, 525_600);
  if (from || to) out.date_range = [from ?? '', to ?? ''];
  else if (date_range) out.date_range = date_range;
  return out;
}

function jsonParam(text: string, field: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new QueryError(`${field} must be JSON`);
  }
}
