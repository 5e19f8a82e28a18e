import fc from 'fast-check';
import { METRICS, TIME_DIMENSIONS, type Filter } from '../../../shared/api.ts';
import { FILTER_DIMENSIONS, FILTER_VALUES, qs, SITES, type HttpCase } from './combinations.ts';

/**
 * Random valid requests to the dashboard's query routes (fast-check), for "no query answers 5xx":
 * random filter trees over every dimension and operator, ranges (named, N days, custom dates),
 * sites, breakdowns, metrics, funnel steps and windows, paging. Values come from the
 * combination history (combinations.ts) or are random text, so both hits and misses occur.
 */

const value = fc.oneof(
  fc.constantFrom(...Object.values(FILTER_VALUES).flat()),
  fc.string({ maxLength: 8 }),
  fc.integer({ min: -5, max: 40 }).map(String),
);
const dimension = fc.constantFrom(...FILTER_DIMENSIONS);
const GROUPABLE = FILTER_DIMENSIONS.filter((d) => !d.startsWith('visitor:'));

const leaf: fc.Arbitrary<Filter> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('is', 'is_not', 'contains'),
      dimension,
      fc.array(value, { minLength: 1, maxLength: 3 }),
    )
    .map(([op, dim, values]) => [op, dim, values] as unknown as Filter),
  fc
    .tuple(dimension, fc.constantFrom('^/', 'o', '[0-9]+', '^(a|b)', '.*', 'e$'))
    .map(([dim, pattern]) => ['matches', dim, [pattern]] as unknown as Filter),
  fc
    .tuple(fc.constantFrom('gt', 'gte', 'lt', 'lte'), dimension, fc.integer({ min: -1, max: 30 }))
    .map(([op, dim, n]) => [op, dim, [n]] as unknown as Filter),
);
const filter: fc.Arbitrary<Filter> = fc.oneof(
  { weight: 3, arbitrary: leaf },
  { weight: 1, arbitrary: leaf.map((f): Filter => ['not', f]) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('and' as const, 'or' as const), fc.array(leaf, { minLength: 1, maxLength: 3 }))
      .map(([op, parts]): Filter => [op, parts]),
  },
);
const filters = fc.array(filter, { maxLength: 3 });

const day = fc.integer({ min: 0, max: 120 }).map((d) => new Date(Date.parse('2026-12-06') - d * 86_400_000));
const iso = (d: Date) => d.toISOString().slice(0, 10);
const customDays = fc
  .tuple(day, day)
  .map(([a, b]) => (a <= b ? [iso(a), iso(b)] : [iso(b), iso(a)]) as [string, string]);
const dateRange = fc.oneof(
  fc.constantFrom('24h', '7d', '30d', '90d', 'all'),
  fc.integer({ min: 1, max: 365 }).map((n) => `${n}d`),
  customDays,
);
const site = fc.constantFrom<string | null>(null, ...SITES, 'unknown.test');
const siteOf = (s: string | null) => (s ? { site: s } : {});
const seedRange = fc.oneof(
  fc.integer({ min: 1, max: 365 }).map((n) => ({ days: String(n) })),
  customDays.map(([from, to]) => ({ from, to })),
);
const reportRange = dateRange.map((r) =>
  Array.isArray(r) ? { from: r[0], to: r[1] } : { date_range: r as string },
);
const json = (list: Filter[]) => (list.length ? JSON.stringify(list) : undefined);

const step = fc.oneof(
  fc.constantFrom('*', '/pricing', '/docs').map((value) => ({ type: 'page', value })),
  fc.constantFrom('photo_processed', 'link_created', 'nothing').map((value) => ({ type: 'action', value })),
  fc
    .option(fc.constantFrom('whatsapp', 'email'), { nil: undefined })
    .map((value) => (value === undefined ? { type: 'share' } : { type: 'share', value })),
);

const query = fc
  .record({
    site,
    date_range: dateRange,
    metrics: fc.uniqueArray(fc.constantFrom(...METRICS, 'prop_sum:n'), { minLength: 1, maxLength: 5 }),
    dimensions: fc.uniqueArray(fc.constantFrom(...GROUPABLE, ...TIME_DIMENSIONS), { maxLength: 2 }),
    filters,
    compare: fc.boolean(),
    limit: fc.integer({ min: 1, max: 10_000 }),
    offset: fc.integer({ min: 0, max: 50 }),
  })
  .map((q): HttpCase => ({
    method: 'POST',
    path: '/api/analytics/query',
    body: {
      ...siteOf(q.site),
      date_range: q.date_range,
      metrics: q.metrics,
      dimensions: q.dimensions,
      filters: q.filters,
      ...(q.compare ? { compare: 'previous_period' } : {}),
      limit: q.limit,
      offset: q.offset,
    },
  }));

const funnelPost = fc
  .record({
    site,
    date_range: dateRange,
    filters,
    steps: fc.option(fc.array(step, { minLength: 2, maxLength: 4 }), { nil: undefined }),
    window: fc.option(fc.integer({ min: 1, max: 10_080 }), { nil: undefined }),
  })
  .map((f): HttpCase => ({
    method: 'POST',
    path: '/api/analytics/funnel',
    body: {
      ...siteOf(f.site),
      date_range: f.date_range,
      filters: f.filters,
      ...(f.steps ? { steps: f.steps } : {}),
      ...(f.window ? { window_minutes: f.window } : {}),
    },
  }));

const getReport = fc
  .record({
    route: fc.constantFrom('funnel', 'retention', 'journeys'),
    site,
    range: reportRange,
    filters,
  })
  .map((r): HttpCase => ({
    method: 'GET',
    path: `/api/analytics/${r.route}${qs({ ...siteOf(r.site), ...r.range, filters: json(r.filters) })}`,
  }));

const seed = fc
  .record({
    route: fc.constantFrom('overall', 'virality', 'users', 'user/alice', 'realtime'),
    site,
    range: seedRange,
    filters,
  })
  .map((r): HttpCase => ({
    method: 'GET',
    path: `/api/analytics/${r.route}${qs({ ...siteOf(r.site), ...r.range, filters: json(r.filters) })}`,
  }));

/** One random valid request to any of the dashboard's query routes. */
export const randomRequest: fc.Arbitrary<HttpCase> = fc.oneof(query, funnelPost, getReport, seed);
