// The dashboard's view lives in the query string (range, filters, site, user page), so a view
// can be bookmarked and shared among admins. The session never does: it is an HttpOnly cookie.

import { INTERVALS } from '../../shared/api-goals.ts';
import type { Interval } from '../../shared/time.ts';

export const RANGES = ['24h', '7d', '30d', '90d', 'custom'] as const;
export type RangeKey = (typeof RANGES)[number];

/**
 * Dimensions a click can filter on: the URL parameter name and the query API's dimension. The
 * names are short and readable in a shared link (?country=FR&page=/pricing).
 */
export const FILTER_DIMENSIONS = {
  country: 'country',
  region: 'region',
  city: 'city',
  page: 'page',
  entry: 'entry_page',
  exit: 'exit_page',
  channel: 'channel',
  source: 'source',
  referrer: 'referrer',
  utm_source: 'utm_source',
  utm_medium: 'utm_medium',
  utm_campaign: 'utm_campaign',
  browser: 'browser',
  os: 'os',
  device: 'device',
  // Visitors who did it (the API's filter-only dimensions), as a goal filter: under ?action= the
  // whole page shows those visitors' page views, sources and sessions, not only the action records.
  action: 'visitor:action',
  share: 'visitor:share',
} as const;
export type FilterKey = keyof typeof FILTER_DIMENSIONS;

export interface Filter {
  key: FilterKey;
  value: string;
}

export interface ViewState {
  range: RangeKey;
  /** YYYY-MM-DD, only with range 'custom' */
  from: string;
  to: string;
  site: string;
  filters: Filter[];
  /** user page open for this user id, '' for the overview */
  user: string;
  /** time series toggle */
  chart: 'traffic' | 'engagement';
  /** the Team & sharing page instead of the figures */
  section: '' | 'team';
  /** the chart's buckets; '' = the range's default (see interval.ts) */
  interval: '' | Interval;
  /** the selected goal's id: breakdowns show its conversion rate; '' none */
  goal: string;
}

export const DEFAULT_STATE: ViewState = {
  range: '7d',
  from: '',
  to: '',
  site: '',
  filters: [],
  user: '',
  chart: 'traffic',
  section: '',
  interval: '',
  goal: '',
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function isFilterKey(key: string): key is FilterKey {
  return Object.prototype.hasOwnProperty.call(FILTER_DIMENSIONS, key);
}

/** Reads a view from a query string; unknown or malformed parameters fall back to defaults. */
export function parseState(search: string): ViewState {
  const params = new URLSearchParams(search);
  const state: ViewState = { ...DEFAULT_STATE, filters: [] };
  const range = params.get('range');
  if (range && (RANGES as readonly string[]).includes(range)) state.range = range as RangeKey;
  if (state.range === 'custom') {
    const from = params.get('from') ?? '';
    const to = params.get('to') ?? '';
    if (DATE.test(from) && DATE.test(to) && from <= to) Object.assign(state, { from, to });
    else state.range = DEFAULT_STATE.range;
  }
  state.site = params.get('site') ?? '';
  state.user = params.get('user') ?? '';
  if (params.get('chart') === 'engagement') state.chart = 'engagement';
  if (params.get('section') === 'team') state.section = 'team';
  const interval = params.get('interval');
  if ((INTERVALS as readonly (string | null)[]).includes(interval)) state.interval = interval as Interval;
  state.goal = params.get('goal') ?? '';
  for (const [key, value] of params) {
    // One value per dimension: a second click on another country replaces the first.
    // An empty value (`?country=`) would make a "Country is Unknown" chip nobody asked for.
    if (isFilterKey(key) && value !== '' && !state.filters.some((f) => f.key === key))
      state.filters.push({ key, value });
  }
  return state;
}

/** Writes a view back as a query string (with "?"), leaving defaults out so links stay short. */
export function serializeState(state: ViewState): string {
  const params = new URLSearchParams();
  if (state.site) params.set('site', state.site);
  if (state.range !== DEFAULT_STATE.range) params.set('range', state.range);
  if (state.range === 'custom') {
    params.set('from', state.from);
    params.set('to', state.to);
  }
  for (const f of state.filters) params.set(f.key, f.value);
  if (state.chart !== DEFAULT_STATE.chart) params.set('chart', state.chart);
  if (state.interval) params.set('interval', state.interval);
  if (state.goal) params.set('goal', state.goal);
  if (state.user) params.set('user', state.user);
  if (state.section) params.set('section', state.section);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Adds a filter, replacing any filter on the same dimension. */
export function withFilter(state: ViewState, key: FilterKey, value: string): ViewState {
  return { ...state, user: '', filters: [...state.filters.filter((f) => f.key !== key), { key, value }] };
}

export function withoutFilter(state: ViewState, key: FilterKey): ViewState {
  return { ...state, filters: state.filters.filter((f) => f.key !== key) };
}

/** A human label for a chip: "Country is France". */
export const FILTER_LABELS: Record<FilterKey, string> = {
  country: 'Country',
  region: 'Region',
  city: 'City',
  page: 'Page',
  entry: 'Entry page',
  exit: 'Exit page',
  channel: 'Channel',
  source: 'Source',
  referrer: 'Referrer',
  utm_source: 'UTM source',
  utm_medium: 'UTM medium',
  utm_campaign: 'UTM campaign',
  browser: 'Browser',
  os: 'OS',
  device: 'Device',
  action: 'Did action',
  share: 'Shared via',
};

/** "Country is FR", "Did action: photo_processed": the visitor filters read as what the visitors did. */
export function filterText(f: Filter, value = f.value): string {
  return f.key === 'action' || f.key === 'share'
    ? `${FILTER_LABELS[f.key]}: ${value}`
    : `${FILTER_LABELS[f.key]} is ${value}`;
}

/** "Page is /pricing was dropped: blog.example.com has no visits with it in this range." */
export function droppedNotice(dropped: Filter[], site: string): string {
  const names = dropped.map((f) => filterText(f)).join(', ');
  const verb = dropped.length === 1 ? 'was' : 'were';
  return `Filter${dropped.length === 1 ? '' : 's'} ${names} ${verb} dropped: ${site} has no visits with ${dropped.length === 1 ? 'it' : 'them'} in this range.`;
}
