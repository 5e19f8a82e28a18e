import type { Clock } from '../storage/types.ts';
import type { QueryBudget } from './budget.ts';
import { overall } from './compose/overall.ts';
import { baseQuery, runQuery } from './compose/query.ts';
import { propertyBreakdowns } from './compose/properties.ts';
import { realtime } from './compose/realtime.ts';
import { userDetail } from './compose/user.ts';
import { users } from './compose/users.ts';
import { virality } from './compose/virality.ts';
import { dateSpan, lastDays, QueryError, resolveDateRange, type AbsoluteRange } from './range.ts';
import type {
  FunnelResponse,
  JourneysRequest,
  JourneysResponse,
  MetricCardConfig,
  OverallRequest,
  OverallResponse,
  PropertiesRequest,
  PropertiesResponse,
  QueryResponse,
  RealtimeResponse,
  RetentionRequest,
  RetentionResponse,
  SitesResponse,
  UserResponse,
  UsersRequest,
  UsersResponse,
  ViralityResponse,
} from '../shared/api.ts';
import type { QueryBackend } from './backend.ts';
import { allowedIntervals, cardApplies, defaultInterval, USER_SORTS } from '../shared/api.ts';
import type { Interval } from '../shared/time.ts';
import { compareOf, filtersParam, int, normalizeFunnel, normalizeQuery, siteOf } from './validate.ts';

export interface QueryServiceDeps {
  backend: QueryBackend;
  clock: Clock;
  /**
   * The metric cards: a fixed list, or the cards of a view (site, null: all sites) read afresh for
   * each answer, so cards edited in the dashboard show without a restart (query/goals/cards.ts).
   */
  cards: readonly MetricCardConfig[] | CardsSource;
  /**
   * How long a composed answer may be reused while the backend's version() is unchanged; rolling
   * ranges (days=N) move with the clock, so this bounds how late a record leaves the window.
   * Default 10 s; 0 turns the cache off.
   */
  cacheMs?: number;
  /**
   * The backend's query budget (see budget.ts): each call here starts it afresh, so every request
   * gets the whole budget even when in-process callers run many in one turn of the event loop.
   */
  budget?: QueryBudget;
  /**
   * The sites the default funnel (no `steps`) belongs to; absent: every site. Asked for another
   * site, a funnel without steps is a 400 naming it.
   */
  defaultFunnelSites?: readonly string[];
}

/** The cards a view of `site` (null: all sites) shows. */
export type CardsSource = (site: string | null) => Promise<readonly MetricCardConfig[]>;

/** Query-string values arrive as strings; the library passes numbers. Both are checked. */
type Loose<T> = { [K in keyof T]?: T[K] | string };

/**
 * Every read endpoint as a plain async function of its (untrusted) parameters: the HTTP routes
 * and the server-side library both call these, so they return the same shapes. Bad input throws
 * QueryError naming the parameter.
 */
export class QueryService {
  private cache = new Map<string, { version: number; at: number; value: Promise<unknown> }>();

  constructor(private readonly deps: QueryServiceDeps) {}

  /** Reuses an answer while the data is unchanged (see cacheMs); errors are never kept. */
  private cached<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const version = this.deps.backend.version?.();
    const maxAge = this.deps.cacheMs ?? 10_000;
    if (version === undefined || maxAge <= 0) return compute();
    const now = this.deps.clock();
    const hit = this.cache.get(key);
    if (hit && hit.version === version && now - hit.at < maxAge && now >= hit.at)
      return hit.value as Promise<T>;
    if (this.cache.size > 200) this.cache.clear();
    const value = compute();
    this.cache.set(key, { version, at: now, value });
    value.catch(() => this.cache.delete(key));
    return value;
  }

  get backend(): QueryBackend {
    return this.deps.backend;
  }

  /** The metric cards of a view (null: all sites). */
  async cardsFor(site: string | null): Promise<readonly MetricCardConfig[]> {
    const cards = this.deps.cards;
    if (typeof cards === 'function') return cards(site);
    return cards.filter((card) => cardApplies(card, site));
  }

  async overall(params: Loose<OverallRequest> = {}): Promise<OverallResponse> {
    this.deps.budget?.restart();
    const now = this.deps.clock();
    const range = rangeOf(params, now);
    const site = siteOf(params.site);
    const limit = int(params.limit, 'limit', 10, 1, 1000);
    const filters = filtersParam(params.filters);
    const interval = intervalParam(params.interval, range.to - range.from);
    // The cards are part of the key: an edited card is never answered from the cache.
    const cards = await this.cardsFor(site);
    const key = JSON.stringify([params.days, params.from, params.to, site, limit, filters, interval, cards]);
    return this.cached(`overall ${key}`, async () => ({
      ...(await overall(this.deps.backend, { site, ...range, now, limit, filters, cards, interval })),
      query: { site, ...range, filters },
    }));
  }

  users(params: Loose<UsersRequest> = {}): Promise<UsersResponse> {
    this.deps.budget?.restart();
    const range = rangeOf(params, this.deps.clock());
    const sort = params.sort ?? 'last_seen';
    if (!(USER_SORTS as readonly string[]).includes(sort))
      throw new QueryError(`sort must be one of ${USER_SORTS.join(', ')}`);
    const order = params.order ?? (sort === 'user_id' ? 'asc' : 'desc');
    if (order !== 'asc' && order !== 'desc') throw new QueryError('order must be asc or desc');
    const options = {
      sort: sort as (typeof USER_SORTS)[number],
      order,
      limit: int(params.limit, 'limit', 50, 1, 1000),
      offset: int(params.offset, 'offset', 0, 0, 10_000_000),
    } as const;
    const site = siteOf(params.site);
    return this.cached(`users ${JSON.stringify([params.days, params.from, params.to, site, options])}`, () =>
      users(this.deps.backend, baseQuery(site, range.from, range.to), options),
    );
  }

  /** null when the user has no record in the range (the route answers 404). */
  user(userId: string, params: Loose<OverallRequest> = {}): Promise<UserResponse | null> {
    this.deps.budget?.restart();
    if (!userId || userId.length > 200) throw new QueryError('user_id must be 1 to 200 characters');
    const range = rangeOf(params, this.deps.clock());
    return userDetail(this.deps.backend, baseQuery(siteOf(params.site), range.from, range.to), userId);
  }

  realtime(params: { site?: string; filters?: unknown } = {}): Promise<RealtimeResponse> {
    this.deps.budget?.restart();
    return realtime(this.deps.backend, siteOf(params.site), this.deps.clock(), filtersParam(params.filters));
  }

  query(body: unknown, site?: string): Promise<QueryResponse> {
    this.deps.budget?.restart();
    const q = normalizeQuery(body, this.deps.clock(), site);
    return runQuery(this.deps.backend, q, compareOf(body));
  }

  /**
   * The general query for a CSV export: every row unless the body gives `limit` (the JSON
   * answer's 10 000 cap is for pages; the CSV is streamed).
   */
  queryAll(body: unknown, site?: string): Promise<QueryResponse> {
    this.deps.budget?.restart();
    const q = normalizeQuery(body, this.deps.clock(), site);
    const limited = (body as { limit?: unknown }).limit !== undefined;
    const all = limited ? q : { ...q, limit: Number.MAX_SAFE_INTEGER };
    return runQuery(this.deps.backend, all, compareOf(body));
  }

  /** The answer says what it was computed under (`query`), as the general query's does. */
  async funnel(body: unknown, site?: string): Promise<FunnelResponse> {
    this.deps.budget?.restart();
    const q = normalizeFunnel(body ?? {}, this.deps.clock(), site);
    const own = this.deps.defaultFunnelSites;
    if (
      (body as { steps?: unknown } | null)?.steps === undefined &&
      q.site !== null &&
      own &&
      !own.includes(q.site)
    )
      throw new QueryError(
        `steps: the default funnel does not belong to site ${q.site} (ANALYTICS_CARDS_SITES); give steps`,
      );
    const answer = await this.deps.backend.funnel(q);
    const { from, to, filters, windowMs } = q;
    const window_minutes = windowMs === null ? null : windowMs / 60_000;
    return { ...answer, query: { site: q.site, from, to, filters, window_minutes } };
  }

  async retention(params: Loose<RetentionRequest> = {}): Promise<RetentionResponse> {
    this.deps.budget?.restart();
    const now = this.deps.clock();
    const range = resolveDateRange(params.date_range as never, now, '90d');
    const scope = { site: siteOf(params.site), ...range, filters: filtersParam(params.filters) };
    return { ...(await this.deps.backend.retention({ ...scope, now })), query: scope };
  }

  async journeys(params: Loose<JourneysRequest> = {}): Promise<JourneysResponse> {
    this.deps.budget?.restart();
    const range = resolveDateRange(params.date_range as never, this.deps.clock(), '30d');
    const scope = { site: siteOf(params.site), ...range, filters: filtersParam(params.filters) };
    const limit = int(params.limit, 'limit', 20, 1, 1000);
    return { ...(await this.deps.backend.journeys({ ...scope, limit })), query: scope };
  }

  /** The configured sites (ANALYTICS_SITES) first, then every other site the data holds. */
  async sites(configured: readonly string[]): Promise<SitesResponse> {
    const seen = await this.deps.backend.sites();
    const extra = seen.filter((site) => !configured.includes(site));
    const sites = [...configured, ...extra];
    const own = this.deps.defaultFunnelSites;
    const applies = Object.fromEntries(
      await Promise.all(
        sites.map(async (site) => [
          site,
          {
            cards: (await this.cardsFor(site)).map((card) => card.id),
            default_funnel: !own || own.includes(site),
          },
        ]),
      ),
    );
    return { sites, configured: [...configured], seen, applies };
  }

  /** Each prop of one action as a breakdown (compose/properties.ts). */
  async properties(params: Loose<PropertiesRequest> = {}): Promise<PropertiesResponse> {
    this.deps.budget?.restart();
    const action = params.action;
    if (typeof action !== 'string' || action === '' || action.length > 200)
      throw new QueryError('action must be an action name (1 to 200 characters)');
    const range = resolveDateRange(params.date_range as never, this.deps.clock(), '30d');
    const scope = { site: siteOf(params.site), ...range, filters: filtersParam(params.filters) };
    const limit = int(params.limit, 'limit', 20, 1, 1000);
    const base = { ...baseQuery(scope.site, range.from, range.to), filters: scope.filters };
    return { ...(await propertyBreakdowns(this.deps.backend, base, action, limit)), query: scope };
  }

  virality(params: Loose<OverallRequest> = {}): Promise<ViralityResponse> {
    this.deps.budget?.restart();
    const range = rangeOf(params, this.deps.clock());
    const site = siteOf(params.site);
    const filters = filtersParam(params.filters);
    const key = JSON.stringify([params.days, params.from, params.to, site, filters]);
    return this.cached(`virality ${key}`, async () => ({
      ...(await virality(this.deps.backend, { ...baseQuery(site, range.from, range.to), filters })),
      query: { site, ...range, filters },
    }));
  }
}

/** `interval` of overall's time series: one the range allows (allowedIntervals), or the default. */
function intervalParam(raw: unknown, spanMs: number): Interval {
  if (raw === undefined || raw === '') return defaultInterval(spanMs);
  const allowed = allowedIntervals(spanMs);
  if (!(allowed as unknown[]).includes(raw))
    throw new QueryError(`interval must be one of ${allowed.join(', ')} for this range`);
  return raw as Interval;
}

/** `days` (1–365, default 30) or inclusive `from`/`to` dates. */
export function rangeOf(
  params: { days?: number | string; from?: string; to?: string },
  now: number,
): AbsoluteRange {
  if (params.from !== undefined || params.to !== undefined) {
    if (!params.from || !params.to) throw new QueryError('from and to must be given together');
    return dateSpan(params.from, params.to, params.from === undefined ? 'from' : 'from/to');
  }
  return lastDays(int(params.days, 'days', 30, 1, 365), now);
}
