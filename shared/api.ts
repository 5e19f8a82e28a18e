/**
 * The query API, typed once: the request and response of every analytics endpoint (the routes,
 * the library and the dashboard import them from here) and the exact definition of every
 * figure. The backend interface that the in-memory columnar engine (query/memory/) and the
 * ClickHouse backend (query/clickhouse/) both implement is in query/backend.ts.
 *
 * Layering, so that both backends agree by construction:
 *   - a backend implements only the primitives of `QueryBackend` (general query, funnel,
 *     retention, journeys, event list, numeric prop keys) on a `NormalizedQuery` whose date
 *     range is already absolute;
 *   - query/compose/ builds every seed endpoint (overall, users, user, realtime,
 *     virality, metric cards) out of those primitives and shapes the JSON, for both backends;
 *   - query/validate.ts turns untrusted HTTP input into normalized requests (400s).
 *
 * DEFINITIONS (every figure below uses these; all are computable in SQL without window
 * functions, e.g. on ClickHouse 18.16 with groupArray/arraySort/arrayCumSum):
 *
 * - Range. A query covers the records whose `ts` lies in [from, to) (epoch ms, server time).
 *   `24h`/`7d`/`30d`/`90d`/`days=N` are rolling: from = now − N×24 h, to = now + 1 ms.
 *   ISO dates ["2026-11-01", "2026-11-27"] are whole UTC days, both ends inclusive.
 *   `all` is [0, now + 1 ms). Everything is UTC.
 * - Site. `site` restricts to records with that `site`; absent = all sites together.
 * - Visitor. The `visitor` field: the daily salted hash for beacon events, `u:<user_id>` (or
 *   `s:<session_id>` when there is no user id) for server-side events (set when they are written).
 *   visitors = exact count of distinct visitor values (no sketch: the in-memory engine keeps
 *   exact sets, ClickHouse uses uniqExact).
 * - Session. Records with a non-empty `session` field (server-side API) belong to the session
 *   (site, session). All others are grouped per (site, visitor), ordered by ts, and a new session
 *   starts whenever the gap to the previous record of that visitor (any kind) exceeds 30 minutes
 *   (gap > 1 800 000 ms; equal ts never split). In SQL: per (site, visitor)
 *   `arraySort(groupArray(ts))`, `arrayDifference`, then `arrayCumSum(gap > 1800000)` numbers the
 *   runs. Because a range is a contiguous slice of time, sessionizing the in-range records gives
 *   the same partition as sessionizing everything and cutting at the range edges.
 * - Session attributes. A session's entry page / exit page are the paths of its first / last
 *   pageview in the range (ts order; ties broken by storage order); its source, channel,
 *   referrer and utm_* are those of its first pageview in the range (empty when it has none).
 *   Every record of the session carries them for grouping and filtering, so `source` etc. are
 *   session-level dimensions while `page`, `event:*`, `share:channel` are per record.
 * - Filters select records. Record-level metrics (pageviews, events, time_on_page…) count the
 *   matching records. Session-level metrics (sessions, bounce_rate, session_duration,
 *   views_per_session) consider the sessions with at least one matching record (per group, when
 *   grouped), and compute each such session's figures from ALL its records in the range.
 * - Bounce. A session bounces when it has exactly one pageview and no action and no share in
 *   the range. bounce_rate = bounced / sessions having ≥ 1 pageview, in percent (0–100).
 * - Session duration = (last ts − first ts) of the session's records in the range, in seconds;
 *   session_duration = the mean over the considered sessions (a one-record session lasts 0 s).
 * - Time on page. Engagement records carry engaged milliseconds (`engaged_ms`) on their page.
 *   time_on_page = Σ engaged_ms of matching engagement records / 1000 / matching pageviews
 *   (seconds per pageview; 0 when there is no pageview). total_time = Σ engaged_ms / 1000.
 * - Scroll depth = mean over (session, path) pairs of matching engagement records of the
 *   maximum `scroll` of that pair, in percent.
 * - Counts. pageviews = matching pageview records; actions = matching action records; shares =
 *   matching share records; events = pageviews + actions + shares (engagement records are not
 *   events); recipients = Σ recipients of matching shares; users = distinct non-empty `user`.
 * - prop_sum:KEY = Σ of the numeric prop KEY over matching records (non-numeric values ignored).
 * - conversion_rate = matching visitors / visitors of the whole range (same site, no filters,
 *   no grouping), in percent.
 * - first_seen / last_seen = min / max ts of the matching records (epoch ms).
 * - Active users (realtime, overall) = distinct visitors with any record in the last 5 min /
 *   1 h / 24 h before now.
 * - New vs returning: only identified users (non-empty `user`). A user active in the range is
 *   new when their first record ever (this site, all time) is inside the range, returning
 *   otherwise. Anonymous visitors get a fresh id every day, so they are neither: the response
 *   says so rather than guessing.
 * - Funnel. Steps are matched the way ClickHouse's windowFunnel does: per unit (a session, or a
 *   visitor when `window_minutes` is given), a chain starts at a record matching step 1 and
 *   step k+1 must match a later-or-equal record, all within window_minutes of the chain's start
 *   (session mode: no time limit, same session). A unit reaches level L = the longest chain.
 *   Step k's visitors = distinct visitors with a unit at level ≥ k.
 * - Retention. Cohort = identified users by the UTC ISO week (Monday) of their first record
 *   ever, for cohorts whose week starts in the range; cell w = users of the cohort with any
 *   record in cohort week + w (w = 0 … up to the current week).
 * - Journeys. A session's page sequence is its pageview paths in ts order with immediate
 *   repeats of the same path removed. Transitions = consecutive pairs, paths = consecutive
 *   triples, counted over all sessions in the range (a pair seen twice in a session counts 2).
 * - Shared visits. A session whose first pageview came through a shared link: its `source`,
 *   lower-cased, is a share channel (SHARE_SOURCES) or its utm_medium is `share`.
 *   k_factor = shared visits / shares in the range (0 when there is no share).
 * - Time buckets (`time:hour|day|week|month`): UTC; hour "2026-11-27T13:00:00Z",
 *   day "2026-11-27", week = Monday "2026-11-23", month "2026-11".
 */

import type { PropValue, RecordKind } from './record.ts';
import type { Interval } from './time.ts';

/** Sources (lower-cased) that mark a visit as arriving through a shared link. */
export const SHARE_SOURCES = [
  'whatsapp',
  'telegram',
  'facebook',
  'twitter',
  'x',
  'linkedin',
  'reddit',
  'email',
  'sms',
  'qr',
  'native',
  'copy',
  'share',
] as const;

export const SESSION_GAP_MS = 30 * 60 * 1000;

// ─── General query (POST /api/analytics/query) ──────────────────────────────────────────────

export const METRICS = [
  'visitors',
  'sessions',
  'pageviews',
  'events',
  'actions',
  'shares',
  'recipients',
  'users',
  'bounce_rate',
  'session_duration',
  'views_per_session',
  'time_on_page',
  'total_time',
  'scroll_depth',
  'conversion_rate',
  'first_seen',
  'last_seen',
] as const;
/** A metric name, or `prop_sum:KEY` (sum of the numeric prop KEY). */
export type Metric = (typeof METRICS)[number] | `prop_sum:${string}`;

/** Dimensions grouped or filtered per record. */
export const RECORD_DIMENSIONS = [
  'page',
  'country',
  'region',
  'city',
  'browser',
  'os',
  'device',
  'user',
  'event:kind',
  'event:name',
  'share:channel',
] as const;
/** The stored field (storage/schema.ts) behind each record dimension that is a plain column. */
export const RECORD_DIMENSION_FIELD = {
  page: 'path',
  country: 'country',
  region: 'region',
  city: 'city',
  browser: 'browser',
  os: 'os',
  device: 'device',
  user: 'user',
  'event:kind': 'kind',
  'event:name': 'name',
} as const;
/** Dimensions taken from the record's session (see "Session attributes"). */
export const SESSION_DIMENSIONS = [
  'entry_page',
  'exit_page',
  'source',
  'channel',
  'referrer',
  'utm_source',
  'utm_medium',
  'utm_campaign',
] as const;
export const TIME_DIMENSIONS = ['time:hour', 'time:day', 'time:week', 'time:month'] as const;
/**
 * Filter-only dimensions about the visitor rather than the record, as Plausible's goal filter:
 * `['is', 'visitor:action', ['signup']]` keeps every record (page views, sessions, time on page…)
 * of the visitors with a `signup` action in the range. Positive operators (is, contains, matches,
 * gt…) need one such action or share whose name (share: channel) passes; `is_not` needs none.
 * The records of the action itself are counted by `event:name` / `share:channel` filters.
 */
export const VISITOR_FILTER_DIMENSIONS = ['visitor:action', 'visitor:share'] as const;
export type VisitorFilterDimension = (typeof VISITOR_FILTER_DIMENSIONS)[number];
/**
 * `event:kind` is pageview|engagement|action|share; `event:name` is the action name for actions
 * and the channel for shares ('' otherwise); `share:channel` is the channel for shares only;
 * `event:props:KEY` is the prop's value as a string ('' when absent).
 */
export type Dimension =
  | (typeof RECORD_DIMENSIONS)[number]
  | (typeof SESSION_DIMENSIONS)[number]
  | (typeof TIME_DIMENSIONS)[number]
  | `event:props:${string}`;

/** Text operators compare the dimension's string value; numeric ones compare Number(value). */
export type FilterOp = 'is' | 'is_not' | 'contains' | 'matches' | 'gt' | 'gte' | 'lt' | 'lte';
/**
 * Plausible v2 style. `['is', dim, [a, b]]` matches any of the values; `is_not` none of them;
 * `contains` a substring (case-insensitive); `matches` a JavaScript/RE2-compatible regex;
 * gt/gte/lt/lte take one number and never match a non-numeric value.
 */
export type Filter =
  | [FilterOp, Exclude<Dimension, `time:${string}`> | VisitorFilterDimension, (string | number)[]]
  | ['and' | 'or', Filter[]]
  | ['not', Filter]
  /**
   * Visitor-scoped, as `visitor:action` but for any record: every record of the visitors with at
   * least one record in the range (and site) that passes the inner filter, which reads record
   * dimensions only (page, event:*, share:channel, country…). A goal's conversions by source:
   * `['visitor', goal.filter]` grouped by `source`.
   */
  | ['visitor', Filter];

/** `24h|7d|30d|90d|all`, `Nd` (1–365), or two inclusive ISO dates. */
export type DateRangeInput = string | [string, string];

export interface QueryRequest {
  site?: string;
  metrics: Metric[];
  dimensions?: Dimension[];
  filters?: Filter[];
  date_range?: DateRangeInput;
  /**
   * previous_period: the same query over the equally long range just before; year_over_year: over
   * the same range a year earlier. Each row gets `comparison`; time buckets are matched to the
   * current range's (see query/compare.ts)
   */
  compare?: CompareMode;
  /** e.g. [['visitors', 'desc']]; default: first metric desc, then dimensions asc */
  order_by?: [Metric | Dimension, 'asc' | 'desc'][];
  /** default 100, at most 10 000 */
  limit?: number;
  offset?: number;
}

export interface QueryRow {
  /** dimension values, in the order of `dimensions` */
  dimensions: string[];
  /** metric values, in the order of `metrics` */
  metrics: number[];
}

export interface QueryResponse {
  results: (QueryRow & { comparison?: number[] })[];
  /** rows before limit/offset */
  total_rows: number;
  /** the query as it was run, with the absolute range */
  query: NormalizedQuery;
  /** with `compare`: the compared range [from, to) in epoch ms */
  comparison_range?: { mode: CompareMode; from: number; to: number };
}

export type CompareMode = 'previous_period' | 'year_over_year';

/** A validated query with an absolute range: what backends receive. */
export interface NormalizedQuery {
  site: string | null;
  metrics: Metric[];
  dimensions: Dimension[];
  /** all must match (an implicit `and`) */
  filters: Filter[];
  from: number;
  to: number;
  order_by: [Metric | Dimension, 'asc' | 'desc'][];
  limit: number;
  offset: number;
}

// ─── Reports ────────────────────────────────────────────────────────────────────────────────

export type FunnelStep =
  | { type: 'page'; value: string; label?: string }
  | { type: 'action'; value: string; label?: string }
  /** any share, or one channel when value is given */
  | { type: 'share'; value?: string; label?: string };

export interface FunnelRequest {
  site?: string;
  date_range?: DateRangeInput;
  /** default: visit (any pageview) → photo_processed → link_created → share */
  steps?: FunnelStep[];
  /** absent: steps must happen in one session; given: within this many minutes, per visitor */
  window_minutes?: number;
  filters?: Filter[];
}

export interface FunnelResponse {
  steps: {
    label: string;
    visitors: number;
    /** visitors / step 1 visitors, percent */
    conversion_rate: number;
    /** previous step's visitors − this step's (0 for step 1) */
    drop_off: number;
    /** drop_off / previous step's visitors, percent */
    drop_off_rate: number;
  }[];
  /** set by the query service (not the backends): what the funnel was computed under */
  query?: ReportScope & { window_minutes: number | null };
}

export interface RetentionRequest {
  site?: string;
  /** cohorts whose first week starts in this range; default 90d */
  date_range?: DateRangeInput;
  /**
   * only the identified users with at least one record matching them in the range; over HTTP a
   * JSON array in the query string
   */
  filters?: Filter[];
}

/** What a report was computed under: the absolute range [from, to) in epoch ms, site, filters. */
export interface ReportScope {
  site: string | null;
  from: number;
  to: number;
  filters: Filter[];
}

export interface RetentionResponse {
  cohorts: {
    /** Monday of the cohort week, YYYY-MM-DD */
    week: string;
    users: number;
    /** users active in week 0, 1, 2… after the cohort week (cell 0 = users) */
    returning: number[];
    /** returning[w] / users, percent */
    rates: number[];
  }[];
  note: string;
  /** set by the query service (not the backends): what the cohorts were computed under */
  query?: ReportScope;
}

export interface JourneysRequest {
  site?: string;
  date_range?: DateRangeInput;
  /** rows per list, default 20 */
  limit?: number;
  /** only the sessions with at least one record matching them; over HTTP a JSON array */
  filters?: Filter[];
}

export interface JourneysResponse {
  transitions: { from: string; to: string; count: number }[];
  paths: { path: [string, string, string]; count: number }[];
  /** set by the query service (not the backends): what the lists were computed under */
  query?: ReportScope;
}

/** GET /api/analytics/sites: the site switcher's list. */
export interface SitesResponse {
  /** `configured` first, then the other sites of `seen` */
  sites: string[];
  /** ANALYTICS_SITES, in its order */
  configured: string[];
  /** sites with at least one stored record, sorted */
  seen: string[];
  /**
   * per site of `sites`: the ids of the metric cards that belong to it (overall's `metrics` for
   * that site) and whether the default funnel does (else a funnel needs `steps`)
   */
  applies: Record<string, { cards: string[]; default_funnel: boolean }>;
}

export interface ViralityResponse {
  shares: { channel: string; count: number; recipients: number }[];
  total_shares: number;
  total_recipients: number;
  /** sessions that arrived through a shared link (see definition), by source */
  shared_visits: { source: string; sessions: number; visitors: number }[];
  total_shared_visits: number;
  /** shared visits / shares */
  k_factor: number;
  /** set by the query service: what the figures were computed under */
  query?: ReportScope;
}

// ─── Metric cards ───────────────────────────────────────────────────────────────────────────

/**
 * One card of ANALYTICS_METRICS_FILE (a JSON array of these). `event` is an action name, or
 * `share` / `pageview` for those kinds.
 *  - count: matching records; unique_users: distinct visitors; sum: Σ numeric `prop`;
 *  - rate: percent of matching records whose `where` holds.
 */
export interface MetricCardConfig {
  id: string;
  label: string;
  kind: 'count' | 'unique_users' | 'sum' | 'rate';
  event: string;
  prop?: string;
  where?: { prop: string; op: 'gt' | 'gte' | 'lt' | 'lte' | 'is' | 'is_not'; value: string | number };
  /**
   * The sites the card belongs to; absent: every site. A view of one site shows only its cards,
   * the all-sites view shows every card.
   */
  sites?: string[];
}

/** Whether a card belongs to the view of `site` (null: all sites). */
export function cardApplies(card: MetricCardConfig, site: string | null): boolean {
  return site === null || card.sites === undefined || card.sites.includes(site);
}

export interface MetricCard {
  id: string;
  label: string;
  kind: MetricCardConfig['kind'];
  value: number;
}

// ─── Seed endpoints ─────────────────────────────────────────────────────────────────────────

/** A top-list row; `pages` rows add the page's time on page and scroll depth. */
export interface TopRow {
  key: string;
  visitors: number;
  pageviews: number;
}
export interface PageRow extends TopRow {
  /** seconds per pageview */
  avg_time_on_page: number;
  /** percent */
  scroll_depth: number;
}
export interface CountryRow extends TopRow {
  /** English name of the ISO code ('' key = unknown) */
  name: string;
}

export interface ActionSummary {
  count: number;
  /** distinct visitors that performed it */
  users: number;
  /** Σ of every numeric prop seen on it */
  sums: Record<string, number>;
}

export interface TimeseriesPoint {
  /** bucket start: hour "2026-11-27T13:00:00Z", day or week (its Monday) "2026-11-27", month "2026-11" */
  time: string;
  visitors: number;
  pageviews: number;
  actions: number;
  shares: number;
}

export interface OverallRequest {
  site?: string;
  /** 1–365, default 30; ignored when from/to are given */
  days?: number;
  /** inclusive ISO dates */
  from?: string;
  to?: string;
  /** rows per top list, default 10 */
  limit?: number;
  /**
   * narrows every figure (cards, top lists, active users…) as the general query's `filters` do;
   * over HTTP a JSON array in the query string
   */
  filters?: Filter[];
  /** the time series' buckets, one the range allows (allowedIntervals); default hour up to 2 days, else day */
  interval?: Interval;
}

export interface OverallResponse {
  range: { from: string; to: string; days: number };
  site: string | null;
  visitors: number;
  sessions: number;
  pageviews: number;
  views_per_session: number;
  /** percent */
  bounce_rate: number;
  /** seconds */
  avg_session_duration: number;
  /** seconds per pageview, from engaged time */
  avg_time_on_page: number;
  active_users_1h: number;
  active_users_24h: number;
  /** identified users only (see definitions); anonymous visitors are in neither */
  new_users: number;
  returning_users: number;
  new_vs_returning_note: string;
  /** the 100 most frequent action names, each with the sums of at most 20 of its numeric props */
  actions: Record<string, ActionSummary>;
  /** the action names left out of `actions` and their number of actions (0 and 0 when none) */
  actions_more: { names: number; count: number };
  shares: { channels: Record<string, { count: number; recipients: number }>; total: number };
  metrics: MetricCard[];
  /** `interval` (default hourly when the range is ≤ 2 days, daily otherwise); every bucket present, zeros included */
  timeseries: { interval: Interval; points: TimeseriesPoint[] };
  pages: PageRow[];
  entry_pages: TopRow[];
  exit_pages: TopRow[];
  sources: TopRow[];
  referrers: TopRow[];
  utm_source: TopRow[];
  utm_medium: TopRow[];
  utm_campaign: TopRow[];
  countries: CountryRow[];
  regions: TopRow[];
  cities: TopRow[];
  browsers: TopRow[];
  os: TopRow[];
  devices: TopRow[];
  /** set by the query service: the absolute range, site and filters the figures were computed under */
  query?: ReportScope;
}

export const USER_SORTS = [
  'last_seen',
  'first_seen',
  'sessions',
  'pageviews',
  'total_time',
  'actions',
  'shares',
  'user_id',
] as const;

export interface UsersRequest {
  site?: string;
  days?: number;
  from?: string;
  to?: string;
  /** default last_seen */
  sort?: (typeof USER_SORTS)[number];
  order?: 'asc' | 'desc';
  /** default 50, at most 1000 */
  limit?: number;
  offset?: number;
}

export interface UserSummary {
  user_id: string;
  sessions: number;
  pageviews: number;
  /** engaged seconds */
  total_time: number;
  /** total action records */
  actions: number;
  actions_by_name: Record<string, number>;
  shares: number;
  /** ISO timestamps, within the range */
  first_seen: string;
  last_seen: string;
  /** most frequent country code of the user's records ('' unknown) */
  country: string;
}

export interface UsersResponse {
  total: number;
  limit: number;
  offset: number;
  users: UserSummary[];
}

/** One record as the API shows it: no visitor hash, no IP (there is none stored anyway). */
export interface EventView {
  /** ISO time */
  time: string;
  kind: RecordKind;
  site: string;
  path: string;
  /** action name or share channel */
  name: string;
  user: string;
  props: Record<string, PropValue>;
  source: string;
  country: string;
  device: string;
  browser: string;
  engaged_ms: number;
  scroll: number;
  recipients: number;
}

export interface UserSession {
  /** ISO time of its first record */
  start: string;
  /** seconds */
  duration: number;
  pageviews: number;
  actions: number;
  entry_page: string;
  source: string;
}

export interface UserResponse extends UserSummary {
  sessions_list: UserSession[];
  /** ordered page views, actions and shares (engagement records left out), oldest first */
  journey: EventView[];
  shares_list: EventView[];
}

export interface RealtimeResponse {
  active_users_5m: number;
  active_users_1h: number;
  active_users_24h: number;
  /** pages and sources of the last 30 minutes */
  top_pages: TopRow[];
  top_sources: TopRow[];
  /** newest first, at most 50 */
  events: EventView[];
}

// ─── Server-side tracking (POST /api/analytics/track, /track-share) ─────────────────────────

export interface TrackBody {
  /** site domain; defaults to `site=` or the only configured site */
  site?: string;
  session_id?: string;
  user_id?: string;
  action: string;
  /** scalar props, same limits as the beacon's `p` */
  data?: Record<string, PropValue>;
  /** page path the action relates to, default "/" */
  path?: string;
}

export interface TrackShareBody {
  site?: string;
  session_id?: string;
  user_id?: string;
  /** share channel: whatsapp, email, qr… */
  platform: string;
  /** scalar props; `link` (string) becomes the shared link */
  data?: Record<string, PropValue>;
  recipient_count?: number;
  path?: string;
}

export interface TrackResponse {
  accepted: 1;
}

// Goals, metric cards, annotations and chart intervals: see api-goals.ts.
export * from './api-goals.ts';
// ─── Property breakdowns (GET /api/analytics/properties) ────────────────────────────────────

export interface PropertiesRequest {
  site?: string;
  date_range?: DateRangeInput;
  /** the action whose props are broken down */
  action: string;
  /** narrow as the general query's do; over HTTP a JSON array */
  filters?: Filter[];
  /** value rows per property, default 20, at most 1000 */
  limit?: number;
}

/** A numeric prop's figures over the action's records that carry a number in it. */
export interface NumericSummary {
  count: number;
  sum: number;
  avg: number;
  min: number;
  max: number;
  /** equal-width buckets [from, to) from min to max (the last one includes max) */
  histogram: { from: number; to: number; count: number }[];
}

export interface PropertyBreakdown {
  key: string;
  /** records of the action carrying the prop, and their distinct visitors */
  count: number;
  visitors: number;
  /** the most frequent values first */
  values: { value: string; count: number; visitors: number }[];
  /** distinct values in all (values holds at most `limit`) */
  total_values: number;
  /** when every value of the prop is a number */
  numeric: NumericSummary | null;
}

export interface PropertiesResponse {
  action: string;
  /** records of the action and their visitors */
  count: number;
  visitors: number;
  /** at most 20 props, by key */
  properties: PropertyBreakdown[];
  query?: ReportScope;
}

// ─── Saved funnels and segments (/api/analytics/funnels, /api/analytics/segments) ─────────

/** A funnel an admin saved for a site (settings kind `funnel`). */
export interface SavedFunnel {
  id: string;
  site: string;
  name: string;
  /** 2–8 steps */
  steps: FunnelStep[];
  /** null: the steps must happen in one session */
  window_minutes: number | null;
  updated: number;
}

/** The body of POST /funnels and PUT /funnels/:id. */
export type SavedFunnelInput = Omit<SavedFunnel, 'id' | 'updated' | 'window_minutes'> & {
  window_minutes?: number | null;
};

/** A named set of filters (settings kind `segment`), private to its owner or shared with the site's team. */
export interface Segment {
  id: string;
  site: string;
  name: string;
  filters: Filter[];
  /** who saved it: `account:<name>`, or `admin` for every admin-token holder (segmentOwner) */
  owner: string;
  shared: boolean;
  updated: number;
}

/**
 * The `owner` stamped on the segments a principal saves (`kind` as /api/auth/me names it). The
 * collector stamps it and the dashboard compares it, to offer changes only where the collector
 * allows them, so both take it from here.
 */
export function segmentOwner(kind: string, name: string): string {
  return kind === 'token' ? 'admin' : `${kind}:${name}`;
}

export type SegmentInput = Pick<Segment, 'site' | 'name' | 'filters'> & { shared?: boolean };
