import {
  RECORD_DIMENSIONS,
  SESSION_DIMENSIONS,
  VISITOR_FILTER_DIMENSIONS,
  type Filter,
} from '../../../shared/api.ts';
import { emptyRecord, type StoredRecord } from '../../../storage/schema.ts';

/**
 * The query surface as data, for the combinatorial tests (test/unit/query/query-combinations.test.ts
 * on the in-memory engine, test/e2e/clickhouse-combinations.test.ts on ClickHouse): a seeded
 * history that gives every filterable dimension values on two sites over 100 days, and the
 * requests the dashboard's routes take, crossed with every dimension, operator, range and site.
 */

/** "Now" of the history: Sunday 2026-12-06 12:00 UTC. */
export const NOW = Date.parse('2026-12-06T12:00:00Z');
export const SITES = ['a.test', 'b.test'] as const;
const MIN = 60_000;
const DAY = 86_400_000;

/** A small deterministic PRNG (mulberry32), so the history is the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const PAGES = ['/', '/pricing', '/docs', '/docs/api', '/blog/a', '/blog/b', '/upload', '/gallery'];
const SOURCES = [
  { source: '', channel: 'direct', referrer: '' },
  { source: 'Google', channel: 'search', referrer: 'https://www.google.com/' },
  { source: 'whatsapp', channel: 'social', referrer: '' },
  { source: 'Hacker News', channel: 'referral', referrer: 'https://news.ycombinator.com/item' },
  { source: 'newsletter', channel: 'email', referrer: '' },
];
const UTM = [
  { utm_source: '', utm_medium: '', utm_campaign: '' },
  { utm_source: 'newsletter', utm_medium: 'email', utm_campaign: 'launch' },
  { utm_source: 'whatsapp', utm_medium: 'share', utm_campaign: 'invite' },
];
const PLACES = [
  { country: 'DE', region: 'BE', city: 'Berlin' },
  { country: 'US', region: 'CA', city: 'San Francisco' },
  { country: 'IN', region: 'MH', city: 'Mumbai' },
  { country: '', region: '', city: '' },
];
const AGENTS = [
  { browser: 'Chrome', os: 'Windows', device: 'desktop' },
  { browser: 'Safari', os: 'iOS', device: 'mobile' },
  { browser: 'Firefox', os: 'Linux', device: 'desktop' },
];
const ACTIONS = ['photo_processed', 'link_created', 'search_performed'];
const CHANNELS = ['whatsapp', 'email', 'copy'];

/**
 * About 2,700 records: per day and site a few beacon visits (daily visitor ids, sessions of 1–4
 * page views with engagement, sometimes actions and a share), some identified, plus server-side
 * actions under explicit sessions; the last visits end minutes before NOW so 24 h has data.
 */
export function combinationRecords(): StoredRecord[] {
  const random = prng(13);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const out: StoredRecord[] = [];
  for (let day = 100; day >= 0; day--) {
    for (const site of SITES) {
      const visits = 1 + Math.floor(random() * 3);
      for (let v = 0; v < visits; v++) {
        const start = NOW - day * DAY - Math.floor(random() * (day === 0 ? 10 * 60 : 20 * 60)) * MIN;
        const visitor = `v${day}-${site[0]}-${v}`;
        const user = random() < 0.3 ? pick(['alice', 'bob', 'carol', 'dave']) : '';
        const base = { visitor, user, ...pick(PLACES), ...pick(AGENTS) };
        const arrival = { ...pick(SOURCES), ...pick(UTM) };
        const views = 1 + Math.floor(random() * 4);
        let t = start;
        for (let k = 0; k < views; k++) {
          const path = pick(PAGES);
          const pv = emptyRecord('pageview', t, site);
          Object.assign(pv, base, { path }, k === 0 ? arrival : {});
          out.push(pv);
          const engagement = emptyRecord('engagement', t + MIN, site);
          Object.assign(engagement, base, {
            path,
            engaged_ms: Math.floor(random() * 60_000),
            scroll: Math.floor(random() * 101),
          });
          out.push(engagement);
          t += (1 + Math.floor(random() * 5)) * MIN;
          if (random() < 0.35) {
            const action = emptyRecord('action', t, site);
            const props = { n: Math.floor(random() * 30), plan: pick(['free', 'pro']) };
            Object.assign(action, base, { path, name: pick(ACTIONS), props });
            out.push(action);
          }
          if (random() < 0.15) {
            const share = emptyRecord('share', t + MIN, site);
            Object.assign(share, base, {
              path,
              name: pick(CHANNELS),
              recipients: 1 + Math.floor(random() * 3),
            });
            out.push(share);
          }
          // A gap over 30 minutes now and then splits the visit into two sessions.
          if (random() < 0.1) t += 45 * MIN;
        }
      }
      if (random() < 0.4) {
        const user = pick(['alice', 'erin']);
        const action = emptyRecord('action', NOW - day * DAY - 30 * MIN, site);
        Object.assign(action, {
          visitor: `u:${user}`,
          session: `srv-${day}`,
          user,
          path: '/api',
          name: 'photo_processed',
          props: { n: 5 },
        });
        out.push(action);
      }
    }
  }
  // No two records share a time: the engines break ties differently (storage order against kind
  // order), which is not what these tests are about.
  out.sort((a, b) => a.ts - b.ts);
  for (let i = 1; i < out.length; i++) if (out[i]!.ts <= out[i - 1]!.ts) out[i]!.ts = out[i - 1]!.ts + 1;
  return out;
}

/** Every dimension a filter may name, with values that occur in the history. */
export const FILTER_VALUES: Record<string, [string, string]> = {
  page: ['/pricing', '/docs/api'],
  country: ['DE', 'US'],
  region: ['CA', 'BE'],
  city: ['Berlin', 'Mumbai'],
  browser: ['Chrome', 'Safari'],
  os: ['iOS', 'Linux'],
  device: ['mobile', 'desktop'],
  user: ['alice', 'erin'],
  'event:kind': ['action', 'share'],
  'event:name': ['photo_processed', 'whatsapp'],
  'share:channel': ['whatsapp', 'email'],
  entry_page: ['/', '/pricing'],
  exit_page: ['/gallery', '/docs'],
  source: ['Google', 'whatsapp'],
  channel: ['search', 'email'],
  referrer: ['https://www.google.com/', 'https://news.ycombinator.com/item'],
  utm_source: ['newsletter', 'whatsapp'],
  utm_medium: ['email', 'share'],
  utm_campaign: ['launch', 'invite'],
  'event:props:n': ['5', '12'],
  'event:props:plan': ['pro', 'free'],
  'visitor:action': ['photo_processed', 'search_performed'],
  'visitor:share': ['whatsapp', 'email'],
};
export const FILTER_DIMENSIONS = Object.keys(FILTER_VALUES);
// Every dimension the API filters on must be in the table above.
for (const dim of [...RECORD_DIMENSIONS, ...SESSION_DIMENSIONS, ...VISITOR_FILTER_DIMENSIONS])
  if (!(dim in FILTER_VALUES)) throw new Error(`combinations: no values for ${dim}`);

export const OPERATORS = [
  'is',
  'is_not',
  'contains',
  'matches',
  'gt',
  'gte',
  'lt',
  'lte',
  'and',
  'or',
  'not',
] as const;
export type Operator = (typeof OPERATORS)[number];

/** One filter on `dim` with operator `op`, using values that occur in the history. */
export function filterFor(dim: string, op: Operator): Filter {
  const [a, b] = FILTER_VALUES[dim]!;
  const leaf = (o: string, values: (string | number)[]) => [o, dim, values] as unknown as Filter;
  switch (op) {
    case 'is':
      return leaf('is', [a]);
    case 'is_not':
      return leaf('is_not', [a, b]);
    case 'contains':
      return leaf('contains', [a.slice(1, 4) || a]);
    case 'matches':
      return leaf('matches', [`^${a.slice(0, 2).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`]);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return leaf(op, [Number.isFinite(Number(a)) ? Number(a) : 3]);
    case 'and':
      return ['and', [leaf('is', [a, b]), ['not', leaf('is', [b])]]];
    case 'or':
      return ['or', [leaf('is', [a]), leaf('contains', [b])]];
    case 'not':
      return ['not', leaf('is', [a])];
  }
}

export const RANGES = ['24h', '7d', '30d', '90d', 'custom', 'all'] as const;
export type RangeName = (typeof RANGES)[number];
const CUSTOM: [string, string] = ['2026-10-01', '2026-10-31'];

/** `date_range` of the report bodies. */
export function dateRange(range: RangeName): string | [string, string] {
  return range === 'custom' ? CUSTOM : range;
}

/** Range parameters of the seed endpoints (overall, users, user, virality): days or from/to. */
export function seedRange(range: RangeName): Record<string, string> {
  if (range === 'custom') return { from: CUSTOM[0], to: CUSTOM[1] };
  if (range === 'all') return { from: '2020-01-01', to: '2026-12-06' };
  return { days: String({ '24h': 1, '7d': 7, '30d': 30, '90d': 90 }[range]) };
}

export interface HttpCase {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
}

type Site = string | null;

/** A query string from parameters, leaving out the undefined ones. */
export function qs(params: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) search.set(k, v);
  const text = search.toString();
  return text ? `?${text}` : '';
}

const siteParam = (site: Site) => (site ? { site } : {});
const json = (filters: Filter[]) => (filters.length ? JSON.stringify(filters) : undefined);

/** The dashboard's routes that take filters, as request builders. */
export const FILTER_ROUTES: Record<
  string,
  (filters: Filter[], range: RangeName, site: Site, k: number) => HttpCase
> = {
  overall: (filters, range, site) => ({
    method: 'GET',
    path: `/api/analytics/overall${qs({ ...siteParam(site), ...seedRange(range), filters: json(filters) })}`,
  }),
  'query totals': (filters, range, site) => ({
    method: 'POST',
    path: '/api/analytics/query',
    body: {
      ...siteParam(site),
      date_range: dateRange(range),
      metrics: ['visitors', 'sessions', 'pageviews', 'bounce_rate', 'session_duration', 'time_on_page'],
      filters,
      compare: 'previous_period',
    },
  }),
  // The top lists and the chart: one breakdown, the dimension turning with the case number.
  'query breakdown': (filters, range, site, k) => ({
    method: 'POST',
    path: '/api/analytics/query',
    body: {
      ...siteParam(site),
      date_range: dateRange(range),
      metrics: ['visitors', 'pageviews', 'sessions', 'bounce_rate', 'scroll_depth', 'actions', 'shares'],
      dimensions: [BREAKDOWNS[k % BREAKDOWNS.length]!],
      filters,
      limit: 10_000,
    },
  }),
  'funnel POST': (filters, range, site) => ({
    method: 'POST',
    path: '/api/analytics/funnel',
    body: { ...siteParam(site), date_range: dateRange(range), filters },
  }),
  'funnel POST window': (filters, range, site) => ({
    method: 'POST',
    path: '/api/analytics/funnel',
    body: { ...siteParam(site), date_range: dateRange(range), filters, window_minutes: 60 },
  }),
  'funnel GET': (filters, range, site) => ({
    method: 'GET',
    path: `/api/analytics/funnel${qs({ ...siteParam(site), ...reportRange(range), filters: json(filters) })}`,
  }),
  retention: (filters, range, site) => ({
    method: 'GET',
    path: `/api/analytics/retention${qs({ ...siteParam(site), ...reportRange(range), filters: json(filters) })}`,
  }),
  journeys: (filters, range, site) => ({
    method: 'GET',
    path: `/api/analytics/journeys${qs({ ...siteParam(site), ...reportRange(range), filters: json(filters), limit: '10' })}`,
  }),
  // Realtime has its own fixed windows (5 min, 1 h, 24 h); the range does not apply.
  realtime: (filters, _range, site) => ({
    method: 'GET',
    path: `/api/analytics/realtime${qs({ ...siteParam(site), filters: json(filters) })}`,
  }),
  virality: (filters, range, site) => ({
    method: 'GET',
    path: `/api/analytics/virality${qs({ ...siteParam(site), ...seedRange(range), filters: json(filters) })}`,
  }),
};

/** The dashboard's routes without filters. */
export const PLAIN_ROUTES: Record<string, (range: RangeName, site: Site) => HttpCase> = {
  users: (range, site) => ({
    method: 'GET',
    path: `/api/analytics/users${qs({ ...siteParam(site), ...seedRange(range), limit: '50' })}`,
  }),
  user: (range, site) => ({
    method: 'GET',
    path: `/api/analytics/user/alice${qs({ ...siteParam(site), ...seedRange(range) })}`,
  }),
  sites: () => ({ method: 'GET', path: '/api/analytics/sites' }),
};

const BREAKDOWNS = [...FILTER_DIMENSIONS.filter((d) => !d.startsWith('visitor:')), 'time:hour', 'time:day'];

function reportRange(range: RangeName): Record<string, string> {
  return range === 'custom' ? { from: CUSTOM[0], to: CUSTOM[1] } : { date_range: range };
}

export interface Combination extends HttpCase {
  route: string;
  dimension: string | null;
  op: Operator | null;
  range: RangeName;
  site: Site;
  /** the case's number within its route */
  k: number;
}

/**
 * The cross product, sampled deterministically: every filter route × dimension × operator once
 * (the range and site turn with the case number, so each route also meets every range × site
 * pair), and every plain route × range × site.
 */
export function combinations(): Combination[] {
  const out: Combination[] = [];
  const siteOf = (k: number): Site => (Math.floor(k / RANGES.length) % 2 === 0 ? SITES[0] : null);
  for (const [route, build] of Object.entries(FILTER_ROUTES)) {
    let k = 0;
    for (const dimension of FILTER_DIMENSIONS)
      for (const op of OPERATORS) {
        const range = RANGES[k % RANGES.length]!;
        const site = siteOf(k);
        out.push({
          route,
          dimension,
          op,
          range,
          site,
          k,
          ...build([filterFor(dimension, op)], range, site, k),
        });
        k++;
      }
  }
  for (const [route, build] of Object.entries(PLAIN_ROUTES)) {
    let k = 0;
    for (const range of RANGES)
      for (const site of [SITES[0], null])
        out.push({ route, dimension: null, op: null, range, site, k: k++, ...build(range, site) });
  }
  return out;
}
