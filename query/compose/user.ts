import { isoTime } from '../../shared/time.ts';
import type { EventView, NormalizedQuery, UserResponse, UserSession } from '../../shared/api.ts';
import type { BackendEvent, QueryBackend } from '../backend.ts';
import { userSummaries } from './users.ts';

/** At most this many records make up a user's journey; older ones are left out. */
const JOURNEY_LIMIT = 2000;

/** GET /api/analytics/user/{id}; null when the user has no record in the range. */
export async function userDetail(
  backend: QueryBackend,
  base: NormalizedQuery,
  userId: string,
): Promise<UserResponse | null> {
  const q = { ...base, filters: [...base.filters, ['is', 'user', [userId]] as never] };
  // Both at once: on ClickHouse each is a statement of about a second at 30 days, and an unknown
  // user (404) is the rare case that wastes the event list.
  const [[summary], records] = await Promise.all([
    userSummaries(backend, q),
    backend.events({
      site: base.site,
      from: base.from,
      to: base.to,
      filters: q.filters,
      order: 'desc',
      limit: JOURNEY_LIMIT,
      skipEngagement: false,
    }),
  ]);
  if (!summary) return null;
  records.reverse();
  const journey = records.filter((r) => r.kind !== 'engagement').map(view);
  return {
    ...summary,
    sessions_list: sessionsOf(records),
    journey,
    shares_list: journey.filter((e) => e.kind === 'share'),
  };
}

function sessionsOf(records: BackendEvent[]): UserSession[] {
  const sessions = new Map<
    string,
    { first: number; last: number; pv: number; act: number; entry: string; source: string }
  >();
  for (const r of records) {
    let s = sessions.get(r.session);
    if (!s) sessions.set(r.session, (s = { first: r.ts, last: r.ts, pv: 0, act: 0, entry: '', source: '' }));
    s.last = r.ts;
    if (r.kind === 'pageview') {
      if (s.pv === 0) {
        s.entry = r.path;
        s.source = r.source;
      }
      s.pv++;
    } else if (r.kind === 'action') s.act++;
  }
  return [...sessions.values()].map((s) => ({
    start: isoTime(s.first),
    duration: Math.round((s.last - s.first) / 10) / 100,
    pageviews: s.pv,
    actions: s.act,
    entry_page: s.entry,
    source: s.source,
  }));
}

/** The public view of an event: drops the backend's ts and session key. */
export function view(event: BackendEvent): EventView {
  const { ts: _ts, session: _session, ...rest } = event;
  return rest;
}
