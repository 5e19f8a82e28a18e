// Fetches one view's data from the query API and maps it to the models the views draw.

import type {
  FunnelResponse,
  JourneysResponse,
  OverallResponse,
  QueryResponse,
  RealtimeResponse,
  ReportScope,
  RetentionResponse,
  SitesResponse,
  UserResponse,
  ViralityResponse,
} from '../../shared/api.ts';
import type { Answer, ApiClient } from './api.ts';
import { fillBuckets } from './buckets.ts';
import { nextBucket } from '../../shared/time.ts';
import { countryName, formatNumber } from './format.ts';
import type { CardModel, Overview, PanelModel, TabModel } from './model.ts';
import {
  actionsTab,
  API,
  dateRange,
  interval,
  PANELS,
  query,
  SHARES_TAB,
  filteredSeedParams,
  seedParams,
  TOTAL_METRICS,
  USER_METRICS,
  type TabSpec,
} from './queries.ts';
import type { Row } from './table.ts';
import type { Filter, ViewState } from './url-state.ts';

/** Oldest cached time among answers (null when all were live), for the offline badge. */
function oldest(answers: Answer<unknown>[]): number | null {
  const times = answers.map((a) => a.cachedAt).filter((t): t is number => t !== null);
  return times.length ? Math.min(...times) : null;
}

/** Query rows as table rows keyed by metric name; `key` is the dimension value. */
export function toRows(spec: TabSpec, response: QueryResponse): Row[] {
  return response.results.map((r) => {
    const key = r.dimensions[spec.scope ? 1 : 0] ?? '';
    const row: Row = { key, label: key || spec.blank || '(none)' };
    if (spec.dimension === 'country') row.label = countryName(key);
    if (spec.scope) {
      const scope = r.dimensions[0] ?? '';
      row.scope = scope;
      if (scope) row.label = `${row.label}, ${scope}`;
    }
    spec.metrics.forEach((m, i) => (row[m] = r.metrics[i] ?? 0));
    // With a comparison: the compared period's figures, for the change beside each cell.
    if (r.comparison) spec.metrics.forEach((m, i) => (row[`prev:${m}`] = r.comparison![i] ?? 0));
    return row;
  });
}

/** "processed_count: 150 · total_files: 200" from the prop_sum:* columns of an actions row. */
export function propSums(row: Row): string {
  return Object.entries(row)
    .filter(([k, v]) => k.startsWith('prop_sum:') && typeof v === 'number' && v !== 0)
    .map(([k, v]) => `${k.slice(9)}: ${formatNumber(v as number)}`)
    .join(' · ');
}

/** Rows a panel shows at first; the whole list is fetched only when asked for. */
export const TOP_ROWS = 50;
/** The query API's largest page (query/validate.ts). */
export const MAX_PAGE = 10_000;

function tabQuery(state: ViewState, spec: TabSpec, limit: number, offset = 0) {
  return query(state, {
    metrics: spec.metrics,
    dimensions: spec.scope ? [spec.scope, spec.dimension] : [spec.dimension],
    filters: spec.where,
    limit,
    ...(offset ? { offset } : {}),
    ...(state.compare ? { compare: state.compare } : {}),
  });
}

async function tab(api: ApiClient, state: ViewState, spec: TabSpec) {
  const answer = await api.post<QueryResponse>(API.query, tabQuery(state, spec, TOP_ROWS));
  const rows = toRows(spec, answer.data);
  if (spec.id === 'actions') for (const row of rows) row.sums = propSums(row);
  const model: TabModel = {
    id: spec.id,
    label: spec.label,
    filter: spec.filter,
    columns: spec.columns,
    rows,
    total: answer.data.total_rows ?? rows.length,
    spec,
  };
  return { answer, model };
}

/**
 * Every row of one tab, page by page at the API's largest page size, so "Show all" and the CSV
 * hold the whole list (1,150 pages over 90 days of the demo), not the first 50.
 */
export async function loadAllRows(api: ApiClient, state: ViewState, spec: TabSpec): Promise<Row[]> {
  const rows: Row[] = [];
  for (let offset = 0; ; offset += MAX_PAGE) {
    const answer = await api.post<QueryResponse>(API.query, tabQuery(state, spec, MAX_PAGE, offset));
    const page = toRows(spec, answer.data);
    if (spec.id === 'actions') for (const row of page) row.sums = propSums(row);
    rows.push(...page);
    if (page.length < MAX_PAGE || rows.length >= answer.data.total_rows) return rows;
  }
}

const BUILT_IN_LABELS = new Set([
  'active users',
  'visitors',
  'total sessions',
  'sessions',
  'page views',
  'bounce rate',
  'avg session time',
  'average session time',
  'avg time on page',
  'total shares',
  'shares',
]);

/** The configured metric cards that do not repeat a built-in card. */
export function configuredCards(metrics: OverallResponse['metrics']): OverallResponse['metrics'] {
  return metrics.filter((m) => !BUILT_IN_LABELS.has(m.label.toLowerCase()));
}

/**
 * A card with no figure ("–") and no comparison when there is nothing to average now, and
 * "no earlier data" when there was nothing before (its 0 is not a rate to compare with).
 */
function without(card: CardModel, empty: boolean, emptyBefore: boolean): CardModel {
  if (empty) return { ...card, value: null, previous: null };
  return emptyBefore && card.previous != null ? { ...card, previous: null, noEarlierData: true } : card;
}

export function cards(totals: QueryResponse, overall: OverallResponse): CardModel[] {
  const row = totals.results[0];
  const value = (m: (typeof TOTAL_METRICS)[number]) => row?.metrics[TOTAL_METRICS.indexOf(m)] ?? 0;
  const previous = (m: (typeof TOTAL_METRICS)[number]) => row?.comparison?.[TOTAL_METRICS.indexOf(m)] ?? null;
  const card = (
    id: (typeof TOTAL_METRICS)[number],
    label: string,
    format: CardModel['format'],
    lowerIsBetter = false,
  ): CardModel => ({
    id,
    label,
    value: value(id),
    previous: previous(id),
    format,
    lowerIsBetter,
  });
  return [
    {
      id: 'active_users',
      label: 'Active users (24h)',
      value: overall.active_users_24h,
      format: 'number',
      sub: `last hour: ${formatNumber(overall.active_users_1h)}`,
    },
    card('visitors', 'Visitors', 'number'),
    card('sessions', 'Total sessions', 'number'),
    card('pageviews', 'Page views', 'number'),
    // Averages and rates over no sessions are not 0: they are no figure at all.
    without(
      card('bounce_rate', 'Bounce rate', 'percent', true),
      value('sessions') === 0,
      previous('sessions') === 0,
    ),
    without(
      card('session_duration', 'Avg session time', 'duration'),
      value('sessions') === 0,
      previous('sessions') === 0,
    ),
    without(
      card('time_on_page', 'Avg time on page', 'duration'),
      value('pageviews') === 0,
      previous('pageviews') === 0,
    ),
    { ...card('shares', 'Total shares', 'number'), sub: `${formatNumber(value('recipients'))} recipients` },
    // A configured card that repeats a built-in one (its label) is left out.
    ...configuredCards(overall.metrics).map((m): CardModel => ({
      id: `metric:${m.id}`,
      label: m.label,
      value: m.value,
      format: m.kind === 'rate' ? 'percent' : 'number',
    })),
  ];
}

/** The whole overview: cards, time series and every top-list panel, in parallel requests. */
export async function loadOverview(
  api: ApiClient,
  state: ViewState,
  now = Date.now(),
): Promise<{ overview: Overview; cachedAt: number | null }> {
  const step = interval(state);
  const [overall, totals, series] = await Promise.all([
    api.get<OverallResponse>(API.overall, { ...filteredSeedParams(state), limit: 1 }),
    api.post<QueryResponse>(
      API.query,
      query(state, { metrics: [...TOTAL_METRICS], compare: state.compare || 'previous_period' }),
    ),
    api.post<QueryResponse>(
      API.query,
      query(state, {
        metrics: ['visitors', 'pageviews', 'actions', 'shares'],
        dimensions: [`time:${step}`],
        limit: 10_000,
        ...(state.compare ? { compare: state.compare } : {}),
      }),
    ),
  ]);
  const propKeys = [
    ...new Set(Object.values(overall.data.actions).flatMap((a) => Object.keys(a.sums))),
  ].sort();
  const tabSpecs = [...PANELS.flatMap((p) => p.tabs), actionsTab(propKeys), SHARES_TAB];
  const tabs = await Promise.all(tabSpecs.map((spec) => tab(api, state, spec)));
  const byId = new Map(tabs.map((t) => [t.model.id, t.model]));

  const panels: PanelModel[] = PANELS.map((p) => ({
    id: p.id,
    title: p.title,
    tabs: p.tabs.map((t) => byId.get(t.id)!),
  }));
  panels.push({ id: 'actions', title: 'Actions', tabs: [byId.get('actions')!] });
  panels.push({ id: 'shares', title: 'Shares by channel', tabs: [byId.get('shares')!] });

  const { from, to } = series.data.query;
  const buckets = new Map(series.data.results.map((r) => [r.dimensions[0] ?? '', r.metrics]));
  const filled = fillBuckets(buckets, from, to, step, 4);
  const compared = state.compare
    ? fillBuckets(
        new Map(series.data.results.map((r) => [r.dimensions[0] ?? '', r.comparison ?? [0, 0, 0, 0]])),
        from,
        to,
        step,
        4,
      )
    : null;
  const then = state.compare === 'year_over_year' ? 'a year earlier' : 'previous period';
  const againLine = (label: string, k: number) =>
    compared ? [{ label: `${label}, ${then}`, values: compared.values[k]!, dashed: true }] : [];
  const lastStart = (filled.times.at(-1) ?? -Infinity) * 1000;
  const partial = nextBucket(lastStart, step) > now;
  const totalRow = totals.data.results[0]?.metrics ?? [];
  const nothing = totalRow.every((v) => !v);
  const filtered = state.filters.length > 0;
  return {
    overview: {
      cards: cards(totals.data, overall.data),
      series: {
        traffic: {
          granularity: step,
          partial,
          times: filled.times,
          lines: [
            { label: 'Visitors', values: filled.values[0]! },
            { label: 'Page views', values: filled.values[1]! },
            ...againLine('Visitors', 0),
          ],
        },
        engagement: {
          granularity: step,
          partial,
          times: filled.times,
          lines: [
            { label: 'Actions', values: filled.values[2]! },
            { label: 'Shares', values: filled.values[3]! },
            ...againLine('Actions', 2),
          ],
        },
      },
      panels,
      scope: {
        site: totals.data.query.site,
        from: totals.data.query.from,
        to: totals.data.query.to,
        filters: totals.data.query.filters,
      },
      empty: nothing && !filtered && overall.data.active_users_24h === 0,
    },
    cachedAt: oldest([overall, totals, series, ...tabs.map((t) => t.answer)]),
  };
}

/**
 * Share of the stored history the collector's query index has loaded (0–1), or null when it is
 * complete or unknown. From /healthz, which is public and holds no data.
 */
export async function indexProgress(fetcher: typeof fetch = (...a) => fetch(...a)): Promise<number | null> {
  try {
    const health = (await (await fetcher('/healthz')).json()) as {
      query_index?: { ready?: boolean; progress?: number };
    };
    const index = health.query_index;
    return index && index.ready === false ? Math.min(1, Math.max(0, index.progress ?? 0)) : null;
  } catch {
    return null;
  }
}

/** The switcher's sites (configured and seen) and what belongs to each (cards, default funnel). */
export function loadSites(api: ApiClient) {
  return api.get<SitesResponse>(API.sites);
}

/**
 * Why the funnel panel is hidden on this view, or null: the default funnel (the shipped CloudFace
 * steps) belongs to the sites of ANALYTICS_CARDS_SITES, and the API refuses it for another site.
 */
export function funnelHidden(applies: SitesResponse['applies'] | null, state: ViewState): string | null {
  if (!state.site || applies?.[state.site]?.default_funnel !== false) return null;
  return `The default funnel (visit → photo processed → link created → share) belongs to other sites (ANALYTICS_CARDS_SITES), not ${state.site}.`;
}

/** Realtime's last 30 minutes under the view's site and filters, as the rest of the page. */
export function loadRealtime(api: ApiClient, state: ViewState) {
  return api.get<RealtimeResponse>(API.realtime, {
    site: state.site || undefined,
    filters: filtersParam(state),
  });
}

export function loadFunnel(api: ApiClient, state: ViewState) {
  const filters = query(state, { metrics: [] }).filters;
  return api.post<FunnelResponse>(API.funnel, {
    ...(state.site ? { site: state.site } : {}),
    date_range: dateRange(state),
    ...(filters ? { filters } : {}),
  });
}

/** `date_range=7d` or `from`/`to` as the GET reports take them. */
function reportParams(state: ViewState, wide = false): Record<string, string | undefined> {
  const site = state.site || undefined;
  if (state.range === 'custom') return { site, from: state.from, to: state.to };
  // Weekly cohorts need weeks: retention looks at 90 days when the view is shorter.
  return { site, date_range: wide && (state.range === '24h' || state.range === '7d') ? '90d' : state.range };
}

export function loadRetention(api: ApiClient, state: ViewState) {
  return api.get<RetentionResponse>(API.retention, {
    ...reportParams(state, true),
    filters: filtersParam(state),
  });
}

export function loadJourneys(api: ApiClient, state: ViewState) {
  return api.get<JourneysResponse>(API.journeys, {
    ...reportParams(state),
    filters: filtersParam(state),
    limit: 10,
  });
}

function filtersParam(state: ViewState): string | undefined {
  return filteredSeedParams(state).filters as string | undefined;
}

/**
 * Answers over a rolling range ("7d" ends now) are computed moments apart, or minutes apart when
 * one comes from the offline cache: the same range keeps its length and ends within a day. The
 * dashboard's other ranges differ in length (retention's 90 days) or by whole days.
 */
const SAME_LENGTH_MS = 10 * 60_000;
const DAY_MS = 86_400_000;

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Filters in one canonical order, so the same filters sent in another order compare equal. */
function canonical(filters: readonly unknown[]): string {
  return JSON.stringify(filters.map((f) => JSON.stringify(f)).sort());
}

/** What a panel's note says about its own figures, when they differ from the page's. */
export interface ScopeWords {
  /** "retention counts every identified user": why an answer without filters is so */
  unfiltered: string;
  /** "Cohorts": what the range note is about */
  subject: string;
  /** ": weekly cohorts need weeks": why the range differs, when the dashboard chose it */
  because?: string;
}

/**
 * Notes for a panel whose answer was computed under another site, other filters or another range
 * than the page's figures (the general query's `query`), read from the answer's own `query`. None
 * when they match: a panel never shows other figures silently, nor warns about ones it does not.
 */
export function scopeNotes(
  answer: ReportScope | undefined,
  page: ReportScope | undefined,
  words: ScopeWords,
): string[] {
  if (!answer || !page) return [];
  const notes: string[] = [];
  if ((answer.site ?? null) !== (page.site ?? null))
    notes.push(`${words.subject} of ${answer.site ?? 'all sites'}, not only ${page.site ?? 'all sites'}.`);
  if (canonical(answer.filters) !== canonical(page.filters))
    notes.push(
      answer.filters.length === 0
        ? `unfiltered: ${words.unfiltered}`
        : `${words.subject} under other filters than this view's.`,
    );
  const length = (r: ReportScope) => r.to - r.from;
  if (Math.abs(length(answer) - length(page)) > SAME_LENGTH_MS || Math.abs(answer.to - page.to) >= DAY_MS) {
    const days = Math.round((answer.to - answer.from) / DAY_MS);
    notes.push(
      `${words.subject} over ${days} day${days === 1 ? '' : 's'} (${day(answer.from)} – ${day(answer.to - 1)} UTC), not this view's range${words.because ?? ''}.`,
    );
  }
  return notes;
}

export function loadVirality(api: ApiClient, state: ViewState) {
  return api.get<ViralityResponse>(API.virality, filteredSeedParams(state));
}

/**
 * Identified users with per-user figures, filtered like the rest of the view: the newest
 * 10,000 (one API page); `total` says how many there are when that is not all of them.
 */
export async function loadUsers(api: ApiClient, state: ViewState): Promise<Answer<UserRows>> {
  const answer = await api.post<QueryResponse>(
    API.query,
    query(state, {
      metrics: [...USER_METRICS],
      dimensions: ['user'],
      filters: [['is_not', 'user', ['']]],
      order_by: [['last_seen', 'desc']],
      limit: MAX_PAGE,
    }),
  );
  const rows = answer.data.results.map((r) => {
    const row: Row = { user: r.dimensions[0] ?? '' };
    USER_METRICS.forEach((m, i) => (row[m] = r.metrics[i] ?? 0));
    return row;
  });
  return { data: { rows, total: answer.data.total_rows ?? rows.length }, cachedAt: answer.cachedAt };
}

export interface UserRows {
  rows: Row[];
  total: number;
}

export function loadUser(api: ApiClient, state: ViewState) {
  return api.get<UserResponse>(API.user(state.user), seedParams(state));
}

/**
 * The view on another site, keeping each filter that still selects something there (a country,
 * a device) and dropping the ones that select nothing (a page or an action only the old site
 * has): one small query per filter, so the admin is told which went instead of seeing zeros.
 * Towards "All sites" every filter still applies.
 */
export async function switchSite(
  api: ApiClient,
  state: ViewState,
  site: string,
): Promise<{ next: ViewState; dropped: Filter[] }> {
  const next: ViewState = { ...state, site, user: '' };
  if (!site || state.filters.length === 0) return { next, dropped: [] };
  const checks = await Promise.all(
    state.filters.map(async (f) => {
      const answer = await api.post<QueryResponse>(
        API.query,
        query({ ...next, filters: [f] }, { metrics: ['visitors'] }),
      );
      return (answer.data.results[0]?.metrics[0] ?? 0) > 0;
    }),
  );
  return {
    next: { ...next, filters: state.filters.filter((_, i) => checks[i]) },
    dropped: state.filters.filter((_, i) => !checks[i]),
  };
}
