import { bucketLabel, bucketStart, nextBucket, DAY_MS, HOUR_MS, type Interval } from '../../shared/time.ts';
import { defaultInterval } from '../../shared/api.ts';
import type {
  ActionSummary,
  CountryRow,
  Dimension,
  Filter,
  MetricCardConfig,
  NormalizedQuery,
  OverallResponse,
  PageRow,
  TimeseriesPoint,
  TopRow,
} from '../../shared/api.ts';
import type { QueryBackend, QueryRows } from '../backend.ts';
import { computeCards } from './cards.ts';
import { newVsReturning } from './new-returning.ts';
import { baseQuery, firstRows, totals } from './query.ts';
import { countryName } from './countries.ts';

const PAGEVIEWS: Filter = ['is', 'event:kind', ['pageview']];

export interface OverallOptions {
  site: string | null;
  from: number;
  to: number;
  now: number;
  /** rows per top list */
  limit: number;
  cards: readonly MetricCardConfig[];
  /** narrow every figure, active users included */
  filters?: Filter[];
  /** the time series' buckets; default hourly up to 2 days, daily beyond */
  interval?: Interval;
}

const TOP_DIMS = [
  'entry_page',
  'exit_page',
  'source',
  'referrer',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'country',
  'region',
  'city',
  'browser',
  'os',
  'device',
] as const satisfies readonly Dimension[];

/** GET /api/analytics/overall, composed from general queries so every backend agrees. */
export async function overall(backend: QueryBackend, o: OverallOptions): Promise<OverallResponse> {
  const filters = o.filters ?? [];
  const base = { ...baseQuery(o.site, o.from, o.to), filters };
  const [head, active1h, active24h, users, actions, shares, metrics, timeseries, pages, tops] =
    await Promise.all([
      totals(backend, {
        ...base,
        metrics: [
          'visitors',
          'sessions',
          'pageviews',
          'views_per_session',
          'bounce_rate',
          'session_duration',
          'time_on_page',
        ],
      }),
      totals(backend, { ...baseQuery(o.site, o.now - HOUR_MS, o.now + 1), filters, metrics: ['visitors'] }),
      totals(backend, { ...baseQuery(o.site, o.now - DAY_MS, o.now + 1), filters, metrics: ['visitors'] }),
      newVsReturning(backend, base),
      actionSummaries(backend, base),
      shareSummary(backend, base),
      computeCards(backend, o.cards, base),
      timeSeries(backend, base, o.interval ?? defaultInterval(o.to - o.from)),
      // In the same burst as the rest: on ClickHouse their record questions join the others' one
      // statement (record-batch.ts) and their session statements start as soon as the range's
      // tables exist, instead of after the slowest question above (measured below).
      pageList(backend, base, o.limit),
      topListRows(backend, base, TOP_DIMS),
    ]);
  const [
    entry,
    exit,
    sources,
    referrers,
    utmSource,
    utmMedium,
    utmCampaign,
    countries,
    regions,
    cities,
    browsers,
    os,
    devices,
  ] = TOP_DIMS.map((dimension, k) => shapeTopList(tops[k]!, base, dimension, o.limit));
  return {
    range: {
      from: new Date(o.from).toISOString(),
      to: new Date(o.to).toISOString(),
      days: round((o.to - o.from) / DAY_MS),
    },
    site: o.site,
    visitors: head.visitors,
    sessions: head.sessions,
    pageviews: head.pageviews,
    views_per_session: head.views_per_session,
    bounce_rate: head.bounce_rate,
    avg_session_duration: head.session_duration,
    avg_time_on_page: head.time_on_page,
    active_users_1h: active1h.visitors,
    active_users_24h: active24h.visitors,
    new_users: users.new_users,
    returning_users: users.returning_users,
    new_vs_returning_note: users.note,
    actions: actions.actions,
    actions_more: actions.more,
    shares,
    metrics,
    timeseries,
    pages,
    entry_pages: entry,
    exit_pages: exit,
    sources,
    referrers,
    utm_source: utmSource,
    utm_medium: utmMedium,
    utm_campaign: utmCampaign,
    countries: countries.map((r): CountryRow => ({ ...r, name: countryName(r.key) })),
    regions,
    cities,
    browsers,
    os,
    devices,
  };
}

function topListQuery(base: NormalizedQuery, dimension: Dimension): NormalizedQuery {
  return {
    ...base,
    metrics: ['visitors', 'pageviews'],
    dimensions: [dimension],
    filters: [...base.filters, PAGEVIEWS],
    order_by: [
      ['visitors', 'desc'],
      ['pageviews', 'desc'],
    ],
  };
}

/** The unsorted rows of each top list: one batched call when the backend has it, else one query each. */
async function topListRows(
  backend: QueryBackend,
  base: NormalizedQuery,
  dims: readonly Dimension[],
): Promise<QueryRows[]> {
  if (backend.topLists) return backend.topLists(base, dims);
  return Promise.all(dims.map((d) => backend.query(topListQuery(base, d))));
}

/**
 * A top list over page views: visitors and pageviews per value, best first. Empty values
 * (unknown country, direct traffic's referrer…) are kept only for `source`, where '' is direct.
 */
function shapeTopList(rows: QueryRows, base: NormalizedQuery, dimension: Dimension, limit: number): TopRow[] {
  const kept = rows.filter((r) => r.dimensions[0] !== '' || dimension === 'source');
  return firstRows(kept, topListQuery(base, dimension), limit).map((r) => ({
    key: r.dimensions[0]!,
    visitors: r.metrics[0]!,
    pageviews: r.metrics[1]!,
  }));
}

/** One top list through the general query (kept for callers outside `overall`). */
export async function topList(
  backend: QueryBackend,
  base: NormalizedQuery,
  dimension: Dimension,
  limit: number,
): Promise<TopRow[]> {
  return shapeTopList(await backend.query(topListQuery(base, dimension)), base, dimension, limit);
}

async function pageList(backend: QueryBackend, base: NormalizedQuery, limit: number): Promise<PageRow[]> {
  const q: NormalizedQuery = {
    ...base,
    metrics: ['visitors', 'pageviews', 'time_on_page', 'scroll_depth'],
    dimensions: ['page'],
    filters: [...base.filters, ['is', 'event:kind', ['pageview', 'engagement']]],
    order_by: [
      ['visitors', 'desc'],
      ['pageviews', 'desc'],
    ],
  };
  const viewed = (await backend.query(q)).filter((r) => r.metrics[1]! > 0);
  return firstRows(viewed, q, limit).map((r) => ({
    key: r.dimensions[0]!,
    visitors: r.metrics[0]!,
    pageviews: r.metrics[1]!,
    avg_time_on_page: r.metrics[2]!,
    scroll_depth: r.metrics[3]!,
  }));
}

/** At most this many action names in `actions`, the most frequent first (see actions_more). */
export const ACTION_NAMES_SHOWN = 100;
/** At most this many numeric prop sums per action name, the first keys in sort order. */
export const ACTION_SUM_KEYS = 20;

/**
 * Per action name: count, distinct visitors, and the sums of the numeric props seen on that name.
 * Names and keys are free text sent by visitors, so both are capped: the top ACTION_NAMES_SHOWN
 * names by count, each with at most ACTION_SUM_KEYS of its own keys. The sums come from one query
 * over those names only whose backends cost a row its own props, not the union of every name's
 * keys (the union made `overall` cost names × keys², security review C1).
 */
export async function actionSummaries(
  backend: QueryBackend,
  base: NormalizedQuery,
): Promise<{ actions: Record<string, ActionSummary>; more: { names: number; count: number } }> {
  const filters: Filter[] = [...base.filters, ['is', 'event:kind', ['action']]];
  const counted = await backend.query({
    ...base,
    metrics: ['actions', 'visitors'],
    dimensions: ['event:name'],
    filters,
  });
  counted.sort((a, b) => b.metrics[0]! - a.metrics[0]! || cmp(a.dimensions[0]!, b.dimensions[0]!));
  const shown = counted.slice(0, ACTION_NAMES_SHOWN);
  const rest = counted.slice(ACTION_NAMES_SHOWN);
  const keysByName = await backend.numericPropKeys({
    site: base.site,
    from: base.from,
    to: base.to,
    kind: 'action',
    names: shown.map((row) => row.dimensions[0]!),
  });
  const ownKeys = new Map<string, string[]>();
  for (const row of shown) {
    const name = row.dimensions[0]!;
    const keys = Object.hasOwn(keysByName, name) ? keysByName[name]! : [];
    if (keys.length > 0) ownKeys.set(name, [...keys].sort().slice(0, ACTION_SUM_KEYS));
  }
  const keys = [...new Set([...ownKeys.values()].flat())].sort();
  const sums = new Map<string, number[]>();
  if (keys.length > 0) {
    const at = new Map(keys.map((k, n) => [k, n]));
    const summed = await backend.query({
      ...base,
      metrics: keys.map((k) => `prop_sum:${k}` as const),
      dimensions: ['event:name'],
      filters: [...filters, ['is', 'event:name', [...ownKeys.keys()]]],
    });
    for (const row of summed) sums.set(row.dimensions[0]!, row.metrics);
    for (const [name, own] of ownKeys) {
      const metrics = sums.get(name);
      sums.set(
        name,
        own.map((k) => metrics?.[at.get(k)!] ?? 0),
      );
    }
  }
  // fromEntries makes own properties even of a name such as `__proto__`.
  const actions: Record<string, ActionSummary> = Object.fromEntries(
    shown.map((row) => {
      const name = row.dimensions[0]!;
      const values = sums.get(name) ?? [];
      const named = Object.fromEntries((ownKeys.get(name) ?? []).map((k, n) => [k, values[n]!]));
      return [name, { count: row.metrics[0]!, users: row.metrics[1]!, sums: named }];
    }),
  );
  return { actions, more: { names: rest.length, count: rest.reduce((n, r) => n + r.metrics[0]!, 0) } };
}

async function shareSummary(
  backend: QueryBackend,
  base: NormalizedQuery,
): Promise<OverallResponse['shares']> {
  const rows = await backend.query({
    ...base,
    metrics: ['shares', 'recipients'],
    dimensions: ['share:channel'],
    filters: [...base.filters, ['is', 'event:kind', ['share']]],
  });
  const channels: OverallResponse['shares']['channels'] = {};
  let total = 0;
  for (const row of rows.sort(
    (a, b) => b.metrics[0]! - a.metrics[0]! || cmp(a.dimensions[0]!, b.dimensions[0]!),
  )) {
    channels[row.dimensions[0]!] = { count: row.metrics[0]!, recipients: row.metrics[1]! };
    total += row.metrics[0]!;
  }
  return { channels, total };
}

/** One point per bucket of `interval`, every bucket present. */
async function timeSeries(
  backend: QueryBackend,
  base: NormalizedQuery,
  interval: Interval,
): Promise<OverallResponse['timeseries']> {
  const rows = await backend.query({
    ...base,
    metrics: ['visitors', 'pageviews', 'actions', 'shares'],
    dimensions: [`time:${interval}`],
  });
  const byLabel = new Map(rows.map((r) => [r.dimensions[0]!, r.metrics]));
  const points: TimeseriesPoint[] = [];
  for (let t = bucketStart(base.from, interval); t < base.to; t = nextBucket(t, interval)) {
    const time = bucketLabel(t, interval);
    const m = byLabel.get(time) ?? [0, 0, 0, 0];
    points.push({ time, visitors: m[0]!, pageviews: m[1]!, actions: m[2]!, shares: m[3]! });
  }
  return { interval, points };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
