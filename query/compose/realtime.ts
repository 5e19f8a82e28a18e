import { DAY_MS, HOUR_MS } from '../../shared/time.ts';
import type { Filter, RealtimeResponse } from '../../shared/api.ts';
import type { QueryBackend } from '../backend.ts';
import { topList } from './overall.ts';
import { baseQuery, totals } from './query.ts';
import { view } from './user.ts';

/** GET /api/analytics/realtime; `filters` narrow every figure, as overall's do. */
export async function realtime(
  backend: QueryBackend,
  site: string | null,
  now: number,
  filters: Filter[] = [],
): Promise<RealtimeResponse> {
  const visitorsSince = async (ms: number) =>
    (await totals(backend, { ...baseQuery(site, now - ms, now + 1), filters, metrics: ['visitors'] }))
      .visitors;
  const recent = { ...baseQuery(site, now - 30 * 60_000, now + 1), filters };
  const [m5, h1, d1, pages, sources, events] = await Promise.all([
    visitorsSince(5 * 60_000),
    visitorsSince(HOUR_MS),
    visitorsSince(DAY_MS),
    topList(backend, recent, 'page', 10),
    topList(backend, recent, 'source', 10),
    backend.events({
      site,
      from: now - DAY_MS,
      to: now + 1,
      filters,
      order: 'desc',
      limit: 50,
      skipEngagement: true,
    }),
  ]);
  return {
    active_users_5m: m5,
    active_users_1h: h1,
    active_users_24h: d1,
    top_pages: pages,
    top_sources: sources,
    events: events.map(view),
  };
}
