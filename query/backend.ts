/**
 * The backend contract: what the in-memory columnar engine (query/memory/) and the ClickHouse
 * backend (query/clickhouse/) both implement, and the normalized requests they receive from
 * query/validate.ts and query/compose/. The HTTP request and response types, and the definition
 * of every figure, are in shared/api.ts.
 */

import type {
  Dimension,
  EventView,
  Filter,
  FunnelResponse,
  FunnelStep,
  JourneysResponse,
  NormalizedQuery,
  QueryRow,
  RetentionResponse,
} from '../shared/api.ts';
import type { RecordKind } from '../shared/record.ts';

/** Backend result: every group (unsorted, no limit); shared code sorts and pages. */
export type QueryRows = QueryRow[];

export interface NormalizedFunnel {
  site: string | null;
  from: number;
  to: number;
  steps: FunnelStep[];
  windowMs: number | null;
  filters: Filter[];
}

/** Retention as backends get it: `filters` keep the users with a matching record in [from, to). */
export interface RetentionQuery {
  site: string | null;
  from: number;
  to: number;
  now: number;
  filters: Filter[];
}

/** Journeys as backends get it: `filters` keep the sessions with a matching record. */
export interface JourneysQuery {
  site: string | null;
  from: number;
  to: number;
  limit: number;
  filters: Filter[];
}

export interface EventsRequest {
  site: string | null;
  from: number;
  to: number;
  filters: Filter[];
  order: 'asc' | 'desc';
  limit: number;
  /** leave out engagement records */
  skipEngagement: boolean;
  /** the caller reads no session key: a backend may then send '' rather than sessionize */
  withoutSessions?: boolean;
}

/** An event plus its session key, for per-user timelines. */
export interface BackendEvent extends EventView {
  ts: number;
  /** opaque session key (not the visitor hash) */
  session: string;
}

export interface BackendStatus {
  /** true once the historical data is loaded; queries before that see partial data */
  ready: boolean;
  /** records indexed so far */
  rows: number;
  /** 0–1 while loading (bytes or days read / total), 1 when ready */
  progress: number;
  /**
   * in-memory index only: true once the cached whole-day results of the dashboard's ranges are
   * built after loading (until then the first view of a long range computes them)
   */
  warm?: boolean;
}

/**
 * What a storage backend answers. Everything else (seed endpoints, sorting, paging, cards,
 * virality) is composed from these in query/compose/, identically for every backend.
 */
export interface QueryBackend {
  /** One row per group of `dimensions` (one row with [] when none), unsorted and unpaged. */
  query(q: NormalizedQuery): Promise<QueryRows>;
  funnel(q: NormalizedFunnel): Promise<FunnelResponse>;
  retention(q: RetentionQuery): Promise<RetentionResponse>;
  journeys(q: JourneysQuery): Promise<JourneysResponse>;
  /** Matching records in ts order (storage order breaks ties), at most `limit`. */
  events(q: EventsRequest): Promise<BackendEvent[]>;
  /** Numeric prop keys seen on matching records, per event:name, for the `actions` sums. */
  numericPropKeys(q: {
    site: string | null;
    from: number;
    to: number;
    kind: RecordKind;
    /** only these event names (every name when absent) */
    names?: readonly string[];
  }): Promise<Record<string, string[]>>;
  status(): BackendStatus;
  /** Every site with at least one stored record, sorted (the site switcher's list). */
  sites(): Promise<string[]>;
  /**
   * Optional: a number that changes whenever the data changes (append, erasure, purge). When
   * present, composed answers (overall, users, virality) are reused until it changes or for at
   * most a few seconds, so a polling dashboard does not recompute; leave it out to never cache.
   */
  version?(): number;
  /**
   * Optional fast path: the page-view top lists of `dims` (one dimension each, visitors and
   * pageviews, `base`'s filters plus page views only) in one pass. Without it, one `query()` each.
   */
  topLists?(base: NormalizedQuery, dims: readonly Dimension[]): Promise<QueryRows[]>;
  /**
   * Optional fast path: new and returning identified users of an unfiltered range (called only
   * when `base` has no filters). Without it, two `query()` calls.
   */
  newVsReturning?(base: NormalizedQuery): Promise<{ new_users: number; returning_users: number }>;
  /**
   * Optional fast path: the same rows as `query(sharedVisitsQuery(base))` (compose/virality.ts),
   * the visits through shared links by source. Without it, that general query.
   */
  sharedVisits?(base: NormalizedQuery): Promise<QueryRows>;
}
