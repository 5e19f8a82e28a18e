import { isoTime } from '../../shared/time.ts';
import type { Filter, NormalizedQuery, UserSummary, UsersResponse } from '../../shared/api.ts';
import type { QueryBackend } from '../backend.ts';
import { USER_SORTS } from '../../shared/api.ts';

const IDENTIFIED: Filter = ['is_not', 'user', ['']];

/** Per identified user of the range: totals, actions by name, main country. */
export async function userSummaries(backend: QueryBackend, base: NormalizedQuery): Promise<UserSummary[]> {
  const q = { ...base, filters: [...base.filters, IDENTIFIED] };
  const [main, actions, countries] = await Promise.all([
    backend.query({
      ...q,
      dimensions: ['user'],
      metrics: ['sessions', 'pageviews', 'total_time', 'actions', 'shares', 'first_seen', 'last_seen'],
    }),
    backend.query({
      ...q,
      dimensions: ['user', 'event:name'],
      filters: [...q.filters, ['is', 'event:kind', ['action']]],
      metrics: ['actions'],
    }),
    backend.query({
      ...q,
      dimensions: ['user', 'country'],
      filters: [...q.filters, ['is_not', 'country', ['']]],
      metrics: ['events'],
    }),
  ]);
  const byName = new Map<string, Record<string, number>>();
  for (const row of actions) {
    const [user, name] = row.dimensions as [string, string];
    let names = byName.get(user);
    if (!names) byName.set(user, (names = {}));
    names[name] = row.metrics[0]!;
  }
  // Most records wins; ties go to the alphabetically first code so both backends agree.
  const country = new Map<string, [string, number]>();
  for (const row of countries) {
    const [user, code] = row.dimensions as [string, string];
    const best = country.get(user);
    const n = row.metrics[0]!;
    if (!best || n > best[1] || (n === best[1] && code < best[0])) country.set(user, [code, n]);
  }
  return main.map((row) => {
    const user = row.dimensions[0]!;
    const [sessions, pageviews, totalTime, actionCount, shares, first, last] = row.metrics as number[];
    return {
      user_id: user,
      sessions: sessions!,
      pageviews: pageviews!,
      total_time: totalTime!,
      actions: actionCount!,
      actions_by_name: byName.get(user) ?? {},
      shares: shares!,
      first_seen: isoTime(first!),
      last_seen: isoTime(last!),
      country: country.get(user)?.[0] ?? '',
    };
  });
}

/** GET /api/analytics/users: sorted and paged user summaries. */
export async function users(
  backend: QueryBackend,
  base: NormalizedQuery,
  o: { sort: (typeof USER_SORTS)[number]; order: 'asc' | 'desc'; limit: number; offset: number },
): Promise<UsersResponse> {
  const all = await userSummaries(backend, base);
  const sign = o.order === 'asc' ? 1 : -1;
  const key = (u: UserSummary): number | string =>
    o.sort === 'user_id' ? u.user_id : (u[o.sort] as number | string);
  all.sort((a, b) => {
    const x = key(a);
    const y = key(b);
    const c = x < y ? -1 : x > y ? 1 : 0;
    return c * sign || (a.user_id < b.user_id ? -1 : a.user_id > b.user_id ? 1 : 0);
  });
  return {
    total: all.length,
    limit: o.limit,
    offset: o.offset,
    users: all.slice(o.offset, o.offset + o.limit),
  };
}
