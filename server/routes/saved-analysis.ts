import { Hono, type Context } from 'hono';
import type { QueryService } from '../../query/service.ts';
import { siteOf } from '../../query/validate.ts';
import { SettingsError, type SettingsStore } from '../../storage/settings/settings-store.ts';
import { RetryLaterError } from '../../shared/retry-later.ts';
import { SavedFunnels, SavedSegments } from '../saved/saved-docs.ts';
import { answer, json } from './analytics.ts';

export interface SavedAnalysisDeps {
  service: QueryService;
  settings: SettingsStore;
  /**
   * Who is asking, for segment ownership: `admin` for the admin token (and its sessions), else
   * the account's (or link's, key's) kind and name (server/collector.ts).
   */
  principal?: (c: Context) => string;
  /** whether the requester may save segments at all (public links and API keys only read) */
  maySave?: (c: Context) => boolean;
  /** whether the requester is an admin (or owner) of `site`: they may change its shared segments */
  managesSite?: (c: Context, site: string) => boolean;
}

/**
 * Funnels and segments saved per site, and property breakdowns. The app's guard checks the token
 * (route-access.ts); bodies are checked here (saved/schemas.ts) and answered 400 naming the field.
 */
export function savedAnalysisRoutes(deps: SavedAnalysisDeps): Hono {
  const app = new Hono();
  const funnels = new SavedFunnels(deps.settings);
  const segments = new SavedSegments(deps.settings);
  const who = deps.principal ?? (() => 'admin');
  const maySave = deps.maySave ?? (() => true);
  const managesSite = deps.managesSite ?? (() => false);
  const manages = (c: Context) => (site: string) => managesSite(c, site);
  const saving = (c: Context, run: () => Promise<unknown>) =>
    maySave(c) ? stored(c, run) : c.json({ error: 'public links and API keys cannot save segments' }, 403);
  const site = (c: Context) => siteOf(c.req.query('site')) ?? undefined;

  app.get('/api/analytics/funnels', (c) => stored(c, async () => ({ funnels: await funnels.list(site(c)) })));
  app.post('/api/analytics/funnels', (c) =>
    stored(c, async () => c.json(await funnels.create(await json(c)), 201)),
  );
  app.put('/api/analytics/funnels/:id', (c) =>
    stored(c, async () => funnels.update(c.req.param('id'), await json(c))),
  );
  app.delete('/api/analytics/funnels/:id', (c) =>
    stored(c, async () => {
      await funnels.remove(c.req.param('id'));
      return c.body(null, 204);
    }),
  );

  app.get('/api/analytics/segments', (c) =>
    stored(c, async () => ({ segments: await segments.list(who(c), site(c)) })),
  );
  app.post('/api/analytics/segments', (c) =>
    saving(c, async () => c.json(await segments.create(who(c), await json(c)), 201)),
  );
  app.put('/api/analytics/segments/:id', (c) =>
    saving(c, async () => segments.update(who(c), c.req.param('id'), await json(c), manages(c))),
  );
  app.delete('/api/analytics/segments/:id', (c) =>
    saving(c, async () => {
      await segments.remove(who(c), c.req.param('id'), manages(c));
      return c.body(null, 204);
    }),
  );

  app.get('/api/analytics/properties', (c) => answer(c, () => deps.service.properties(propertyParams(c))));
  return app;
}

/**
 * `answer` for the routes that read or write settings: a settings file locked by a stuck CLI or
 * left unreadable is a wait-and-retry (503 + Retry-After) for the client, not an internal error,
 * and its message, which names a path, stays in the log.
 */
function stored(c: Context, run: () => Promise<unknown>): Promise<Response> {
  return answer(c, () =>
    run().catch((error: unknown) => {
      if (!(error instanceof SettingsError)) throw error;
      console.error(`collector: settings: ${error.message}`);
      throw new RetryLaterError('settings are unavailable, retry later', 5);
    }),
  );
}

/** `action`, `site`, `limit`, `date_range=7d` or `from`/`to`, and `filters` as JSON text. */
function propertyParams(c: Context): Record<string, unknown> {
  const { action, site, limit, date_range, from, to, filters } = c.req.query();
  return {
    action,
    site,
    limit,
    filters,
    date_range: from || to ? [from ?? '', to ?? ''] : date_range || undefined,
  };
}
