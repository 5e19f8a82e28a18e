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

/** A prop of the action records (`event:props:KEY`): `prop.processed_count` in the URL. */
export type PropFilterKey = `prop.${string}`;
export type ViewFilterKey = FilterKey | PropFilterKey;

/** The query API's operators the filter builder offers (`matches` stays API-only). */
export const FILTER_OPS = ['is', 'is_not', 'contains', 'gt', 'gte', 'lt', 'lte'] as const;
export type FilterOp = (typeof FILTER_OPS)[number];
export const NUMERIC_OPS: readonly FilterOp[] = ['gt', 'gte', 'lt', 'lte'];

/**
 * One filter per dimension. A click makes `is` with one value; the filter builder adds the other
 * operators (`op`) and several values (`values`, of which `value` is the first).
 */
export interface Filter {
  key: ViewFilterKey;
  value: string;
  op?: FilterOp;
  values?: string[];
}

export type CompareChoice = '' | 'previous_period' | 'year_over_year';

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
  /** the chart's second line and the breakdowns' change column; '' for none */
  compare: CompareChoice;
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
  compare: '',
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function isFilterKey(key: string): key is FilterKey {
  return Object.prototype.hasOwnProperty.call(FILTER_DIMENSIONS, key);
}

/** `country`, `country.is_not`, `prop.plan.contains` → the filter's key and operator, or null. */
export function parseFilterName(name: string): { key: ViewFilterKey; op: FilterOp } | null {
  const dot = name.lastIndexOf('.');
  const suffix = dot > 0 ? name.slice(dot + 1) : '';
  const op = (FILTER_OPS as readonly string[]).includes(suffix) ? (suffix as FilterOp) : 'is';
  const key = op === 'is' && suffix !== 'is' ? name : name.slice(0, dot);
  if (isFilterKey(key)) return { key, op };
  if (key.startsWith('prop.') && key.length > 5) return { key: key as PropFilterKey, op };
  return null;
}

/** Every value of a filter (`values`, or the one `value`). */
export function filterValues(f: Filter): string[] {
  return f.values && f.values.length ? f.values : [f.value];
}

/** The query API dimension a filter key selects on. */
export function filterDimension(key: ViewFilterKey): string {
  return key.startsWith('prop.') ? `event:props:${key.slice(5)}` : FILTER_DIMENSIONS[key as FilterKey];
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
  const compare = params.get('compare');
  if (compare === 'previous_period' || compare === 'year_over_year') state.compare = compare;
  for (const [name, value] of params) {
    // An empty value (`?country=`) would make a "Country is Unknown" chip nobody asked for.
    const parsed = value === '' ? null : parseFilterName(name);
    if (!parsed) continue;
    const same = state.filters.find((f) => f.key === parsed.key);
    // One filter per dimension: repeating its parameter adds values (`?country=DE&country=FR`).
    if (same && (same.op ?? 'is') === parsed.op) {
      if (!NUMERIC_OPS.includes(parsed.op) && same.values && same.values.length < 100)
        same.values.push(value);
    } else if (!same) {
      if (NUMERIC_OPS.includes(parsed.op) && !Number.isFinite(Number(value))) continue;
      state.filters.push(
        parsed.op === 'is'
          ? { key: parsed.key, value, values: [value] }
          : { key: parsed.key, value, op: parsed.op, values: [value] },
      );
    }
  }
  // A filter with one value reads as a click made it: { key, value }.
  for (const f of state.filters) if (f.values?.length === 1) delete f.values;
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
  for (const f of state.filters) {
    const name = f.op && f.op !== 'is' ? `${f.key}.${f.op}` : f.key;
    for (const value of filterValues(f)) params.append(name, value);
  }
  if (state.chart !== DEFAULT_STATE.chart) params.set('chart', state.chart);
  if (state.interval) params.set('interval', state.interval);
  if (state.goal) params.set('goal', state.goal);
  if (state.compare) params.set('compare', state.compare);
  if (state.user) params.set('user', state.user);
  if (state.section) params.set('section', state.section);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Adds a filter, replacing any filter on the same dimension. */
export function withFilter(state: ViewState, key: ViewFilterKey, value: string): ViewState {
  return { ...state, user: '', filters: [...state.filters.filter((f) => f.key !== key), { key, value }] };
}

/** Adds a built filter (any operator, several values), replacing any on the same dimension. */
export function withBuiltFilter(state: ViewState, filter: Filter): ViewState {
  return { ...state, user: '', filters: [...state.filters.filter((f) => f.key !== filter.key), filter] };
}

export function withoutFilter(state: ViewState, key: ViewFilterKey): ViewState {
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

const OP_WORDS: Record<FilterOp, string> = {
  is: 'is',
  is_not: 'is not',
  contains: 'contains',
  gt: '>',
  gte: '≥',
  lt: '<',
  lte: '≤',
};

/** "Country", or a prop's own name ("processed_count"). */
export function filterLabel(key: ViewFilterKey): string {
  return key.startsWith('prop.') ? key.slice(5) : FILTER_LABELS[key as FilterKey];
}

/**
 * "Country is FR", "Page contains pric", "Country is not DE or FR", "processed_count > 2", "Did
 * action: photo_processed": the visitor filters read as what the visitors did.
 */
export function filterText(f: Filter, value = filterValues(f).join(' or ')): string {
  const op = f.op ?? 'is';
  if ((f.key === 'action' || f.key === 'share') && op === 'is') return `${FILTER_LABELS[f.key]}: ${value}`;
  return `${filterLabel(f.key)} ${OP_WORDS[op]} ${value}`;
}

/** "Page is /pricing was dropped: blog.example.com has no visits with it in this range." */
export function droppedNotice(dropped: Filter[], site: string): string {
  const names = dropped.map((f) => filterText(f)).join(', ');
  const verb = dropped.length === 1 ? 'was' : 'were';
  return `Filter${dropped.length === 1 ? '' : 's'} ${names} ${verb} dropped: ${site} has no visits with ${dropped.length === 1 ? 'it' : 'them'} in this range.`;
}
