// Pure translation of the view (range, site, filters) into query API requests. Every panel is
// one general query with the view's filters, so a click on any row filters the whole dashboard.

import type { DateRangeInput, Dimension, Filter, Metric, QueryRequest } from '../../shared/api.ts';
import type { Interval } from '../../shared/time.ts';
import { chartInterval } from './interval.ts';
import type { ColumnModel } from './model.ts';
import { filterDimension, filterValues, NUMERIC_OPS, type FilterKey, type ViewState } from './url-state.ts';

/** The API paths the dashboard reads, in one place. */
export const API = {
  overall: '/api/analytics/overall',
  users: '/api/analytics/users',
  user: (id: string) => `/api/analytics/user/${encodeURIComponent(id)}`,
  realtime: '/api/analytics/realtime',
  query: '/api/analytics/query',
  funnel: '/api/analytics/funnel',
  retention: '/api/analytics/retention',
  journeys: '/api/analytics/journeys',
  virality: '/api/analytics/virality',
  sites: '/api/analytics/sites',
  goals: '/api/analytics/goals',
  goal: (id: string) => `/api/analytics/goals/${encodeURIComponent(id)}`,
  cards: '/api/analytics/cards',
  annotations: '/api/analytics/annotations',
  annotation: (id: string) => `/api/analytics/annotations/${encodeURIComponent(id)}`,
  properties: '/api/analytics/properties',
  funnels: '/api/analytics/funnels',
  segments: '/api/analytics/segments',
} as const;

const RANGE_DAYS = { '24h': 1, '7d': 7, '30d': 30, '90d': 90 } as const;

export function dateRange(state: ViewState): DateRangeInput {
  return state.range === 'custom' ? [state.from, state.to] : state.range;
}

/** Query-string parameters of the seed endpoints (overall, users, user). */
export function seedParams(state: ViewState): Record<string, string | number | undefined> {
  const site = state.site || undefined;
  if (state.range === 'custom') return { site, from: state.from, to: state.to };
  return { site, days: RANGE_DAYS[state.range] };
}

/** Seed-endpoint parameters plus the view's filters (overall and virality take them as JSON). */
export function filteredSeedParams(state: ViewState): Record<string, string | number | undefined> {
  const filters = apiFilters(state);
  return { ...seedParams(state), filters: filters.length ? JSON.stringify(filters) : undefined };
}

/** The view's chips as API filters (one per dimension; all must hold). */
export function apiFilters(state: ViewState): Filter[] {
  return state.filters.map((f) => {
    const op = f.op ?? 'is';
    const values = filterValues(f);
    return [op, filterDimension(f.key), NUMERIC_OPS.includes(op) ? values.map(Number) : values] as Filter;
  });
}

/** The chart's buckets: the admin's pick when the range allows it (interval.ts), else the default. */
export function interval(state: ViewState): Interval {
  return chartInterval(state);
}

export function query(state: ViewState, body: Omit<QueryRequest, 'date_range' | 'site'>): QueryRequest {
  const filters = [...apiFilters(state), ...(body.filters ?? [])];
  return {
    ...(state.site ? { site: state.site } : {}),
    date_range: dateRange(state),
    ...body,
    ...(filters.length ? { filters } : {}),
  };
}

/** Figures of the key cards, asked once with the previous period for the change arrows. */
export const TOTAL_METRICS = [
  'visitors',
  'sessions',
  'pageviews',
  'bounce_rate',
  'session_duration',
  'time_on_page',
  'actions',
  'shares',
  'recipients',
] as const satisfies readonly Metric[];

export interface TabSpec {
  id: string;
  label: string;
  dimension: Dimension;
  filter?: FilterKey;
  metrics: Metric[];
  columns: ColumnModel[];
  /** extra filters that define the tab (only actions, only shares) */
  where?: Filter[];
  /** a row with an empty key reads as this */
  blank?: string;
  /**
   * Grouped within this dimension too: region codes repeat across countries ("CA" is California
   * and Cádiz; there is a Paris in Texas), so rows read "CA, US" and a click filters on both.
   */
  scope?: 'country';
}

export interface PanelSpec {
  id: string;
  title: string;
  tabs: TabSpec[];
}

const visitors: ColumnModel = { key: 'visitors', label: 'Visitors', format: 'number' };
const pageviews: ColumnModel = { key: 'pageviews', label: 'Views', format: 'number' };
const bounce: ColumnModel = { key: 'bounce_rate', label: 'Bounce', format: 'percent' };
const sessions: ColumnModel = { key: 'sessions', label: 'Sessions', format: 'number' };

function top(
  id: string,
  label: string,
  dimension: Dimension,
  filter: FilterKey,
  columns: ColumnModel[],
  blank = '(none)',
): TabSpec {
  return { id, label, dimension, filter, metrics: columns.map((c) => c.key as Metric), columns, blank };
}

/** The top-list panels, as data: each tab is one query grouped by one dimension. */
export const PANELS: PanelSpec[] = [
  {
    id: 'locations',
    title: 'Countries',
    tabs: [
      top('countries', 'Country', 'country', 'country', [visitors, pageviews], 'Unknown'),
      { ...top('regions', 'Region', 'region', 'region', [visitors, pageviews], 'Unknown'), scope: 'country' },
      { ...top('cities', 'City', 'city', 'city', [visitors, pageviews], 'Unknown'), scope: 'country' },
    ],
  },
  {
    id: 'sources',
    title: 'Traffic sources',
    tabs: [
      top('channels', 'Channel', 'channel', 'channel', [visitors, bounce]),
      top('sources', 'Source', 'source', 'source', [visitors, bounce], 'Direct / none'),
      top('referrers', 'Referrer', 'referrer', 'referrer', [visitors, bounce]),
      top('utm_source', 'UTM source', 'utm_source', 'utm_source', [visitors, bounce]),
      top('utm_medium', 'UTM medium', 'utm_medium', 'utm_medium', [visitors, bounce]),
      top('utm_campaign', 'UTM campaign', 'utm_campaign', 'utm_campaign', [visitors, bounce]),
    ],
  },
  {
    id: 'pages',
    title: 'Popular pages',
    tabs: [
      top('pages', 'Page', 'page', 'page', [
        pageviews,
        visitors,
        { key: 'time_on_page', label: 'Avg time', format: 'duration' },
        { key: 'scroll_depth', label: 'Scroll', format: 'percent' },
      ]),
      top('entry', 'Entry page', 'entry_page', 'entry', [
        { ...sessions, label: 'Entrances' },
        visitors,
        bounce,
      ]),
      top('exit', 'Exit page', 'exit_page', 'exit', [{ ...sessions, label: 'Exits' }, visitors]),
    ],
  },
  {
    id: 'devices',
    title: 'Devices',
    tabs: [
      top('browsers', 'Browser', 'browser', 'browser', [visitors, pageviews], 'Unknown'),
      top('os', 'OS', 'os', 'os', [visitors, pageviews], 'Unknown'),
      top('devices', 'Device', 'device', 'device', [visitors, pageviews], 'Unknown'),
    ],
  },
];

/** Actions grouped by name; the prop sums are added per numeric prop key seen on actions. */
export function actionsTab(propKeys: readonly string[]): TabSpec {
  return {
    id: 'actions',
    label: 'Action',
    dimension: 'event:name',
    filter: 'action',
    where: [['is', 'event:kind', ['action']]],
    metrics: ['actions', 'visitors', ...propKeys.map((k) => `prop_sum:${k}` as Metric)],
    columns: [
      { key: 'actions', label: 'Count', format: 'number' },
      { key: 'visitors', label: 'Visitors', format: 'number' },
      { key: 'sums', label: 'Prop sums', format: 'text' },
    ],
  };
}

export const SHARES_TAB: TabSpec = {
  id: 'shares',
  label: 'Channel',
  dimension: 'share:channel',
  filter: 'share',
  where: [['is', 'event:kind', ['share']]],
  metrics: ['shares', 'recipients', 'visitors'],
  columns: [
    { key: 'shares', label: 'Shares', format: 'number' },
    { key: 'recipients', label: 'Recipients', format: 'number' },
    { key: 'visitors', label: 'Sharers', format: 'number' },
  ],
};

export const USER_METRICS = [
  'sessions',
  'pageviews',
  'total_time',
  'actions',
  'shares',
  'first_seen',
  'last_seen',
] as const satisfies readonly Metric[];
