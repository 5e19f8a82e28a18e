import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { RetryLaterError } from '../../shared/retry-later.ts';
import { WIRE_LIMITS } from '../../shared/wire.ts';
import type { StoredRecord } from '../../storage/schema.ts';
import { DAY_MS } from '../../shared/time.ts';
import type { Clock, EventStore } from '../../storage/types.ts';
import type { CapDrop, GrowthCaps } from '../../collector/growth-caps.ts';
import { serverRecord } from '../../collector/track.ts';
import { chooseSite } from '../../collector/track-site.ts';
import { answer, json } from './analytics.ts';

export interface TrackRouteDeps {
  store: EventStore;
  clock: Clock;
  /** configured sites (ANALYTICS_SITES); with exactly one, `site` may be left out */
  sites: readonly string[];
  /** the beacon's caps: a server-side caller leaking unique names costs `overall` just the same */
  caps: GrowthCaps;
  /** the sites the stored data holds, for calls without a site when none is configured */
  seenSites: () => Promise<readonly string[]>;
  /** the same hook beacon ingestion calls once records are durable */
  onStored?: (records: readonly StoredRecord[]) => void;
}

const CAPPED: Record<CapDrop, string> = {
  cap_site: 'no new site is accepted today (ANALYTICS_CAP_SITES_DAY / ANALYTICS_CAP_SITES)',
  cap_name: 'no new name is accepted for this site today (ANALYTICS_CAP_NAMES)',
};

/**
 * POST /api/analytics/track and /track-share: the seed's server-side calls. Records go through
 * the beacon's validator and the same store, and the answer waits for the fsync like /api/event.
 */
export function trackRoutes(deps: TrackRouteDeps): Hono {
  const app = new Hono();
  const limit = bodyLimit({
    maxSize: WIRE_LIMITS.maxBodyBytes,
    onError: () => {
      throw new HTTPException(413, { message: `body exceeds ${WIRE_LIMITS.maxBodyBytes} bytes` });
    },
  });
  const handler = (kind: 'action' | 'share') => async (c: Context) => {
    let record: StoredRecord | null = null;
    const response = await answer(c, async () => {
      const body = await json(c);
      const named = c.req.query('site') ?? (hasSite(body) ? null : undefined);
      // Looked up only when the call names no site: the data's sites may wait for the history load.
      const fallback =
        named === undefined ? chooseSite(deps.sites, deps.sites.length ? [] : await deps.seenSites()) : named;
      record = serverRecord(kind, body, fallback, deps.clock());
      if (deps.sites.length > 0 && !deps.sites.includes(record.site))
        return c.json({ error: `site ${JSON.stringify(record.site)} is not in ANALYTICS_SITES` }, 403);
      const capped = deps.caps.admit(record);
      // Open again at the next UTC midnight.
      if (capped)
        throw new RetryLaterError(CAPPED[capped], Math.ceil((DAY_MS - (record.ts % DAY_MS)) / 1000), 429);
      // A StoreUnavailableError is the app's 503 + Retry-After (app.ts).
      await deps.store.append([record]);
      deps.onStored?.([record]);
      return c.json({ accepted: 1 }, 202);
    });
    return response;
  };
  app.post('/api/analytics/track', limit, handler('action'));
  app.post('/api/analytics/track-share', limit, handler('share'));
  return app;
}

function hasSite(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { site?: unknown }).site != null;
}
