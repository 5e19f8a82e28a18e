import type { Filter, Metric, NormalizedQuery } from '../../shared/api.ts';
import type { QueryRows } from '../backend.ts';
import { round2 } from '../round.ts';
import { KIND_CODE } from './columns.ts';
import { dimensionReader, isSessionDimension, type DimensionReader } from './dimensions.ts';
import { compileFilters } from './filters.ts';
import type { MemoryIndex } from './index.ts';
import { isLocalRow, rowScan, type Part } from './scope.ts';
import { ScrollMax } from './scroll-max.ts';
import { sessionStats, type SessionStats } from './session-stats.ts';
import { CHECK_MASK } from '../budget.ts';

// Codes stay far below 2^26 (dictionary sizes), so c0 × 2^26 + c1 is exact in a double.
const PAIR_RADIX = 2 ** 26;
const NO_ROWS = { data: new Int32Array(0), length: 0 };

// scroll_depth needs the range's session span (see ScrollMax), which session stats provide.
const SESSION_METRICS = new Set<Metric>([
  'sessions',
  'bounce_rate',
  'session_duration',
  'views_per_session',
  'scroll_depth',
]);

/** One group's figures in one part of a range; parts of a range add up (see rollup.ts, packed.ts). */
export class Group {
  visitors = 0;
  sessions = 0;
  users = 0;
  pageviews = 0;
  actions = 0;
  shares = 0;
  engagedMs = 0;
  recipients = 0;
  firstTs = Infinity;
  lastTs = -Infinity;
  sessionsWithPv = 0;
  bounced = 0;
  durationMs = 0;
  /** sum and number of per-(session, path) deepest scrolls, for scroll_depth */
  scrollSum = 0;
  scrollCount = 0;
  propSums: number[];
  /** the dimension values, set after the pass */
  labels: string[] = [];

  constructor(
    readonly codes: number[],
    props: number,
  ) {
    this.propSums = new Array<number>(props).fill(0);
  }
}

/** The figures of one part of a query's range. */
export interface PartResult {
  /** groups that have records (every group when the query has no dimension) */
  groups: Group[];
  /** distinct visitors of the part under the site alone, when conversion_rate needs them */
  visitors: number;
}

/** Turns (summed) part results into the API's rows. */
export function finishRows(q: NormalizedQuery, part: PartResult): QueryRows {
  // Each metric's position among the prop sums, found once: an indexOf per (group, metric) made
  // a query with thousands of prop_sum metrics cost groups × keys² (security review C1).
  const propAt = new Map(propKeysOf(q).map((key, k) => [key, k]));
  const slots = q.metrics.map((m) => (m.startsWith('prop_sum:') ? propAt.get(m.slice(9))! : -1));
  return part.groups.map((group) => ({
    dimensions: group.labels,
    metrics: q.metrics.map((m, k) =>
      slots[k]! >= 0 ? round2(group.propSums[slots[k]!]!) : metricValue(m, group, part.visitors),
    ),
  }));
}

/** The distinct keys of the query's prop_sum metrics, in first-seen order (a group's propSums order). */
export function propKeysOf(q: NormalizedQuery): string[] {
  return [...new Set(q.metrics.filter((m) => m.startsWith('prop_sum:')).map((m) => m.slice(9)))];
}

// Past this many prop_sum keys a row is summed by walking its own props (at most 30) and looking
// each up in a Map, so a row costs its own size and not the number of keys asked for.
const DIRECT_PROP_KEYS = 8;

/**
 * One pass over the rows of the query's range in `part`, grouping by dense dimension codes.
 * Distinct counts are exact within the part: a (group, id) pair is remembered in typed-array
 * lists, with a last-group-per-id array in front that answers most repeats without hashing.
 */
export function accumulate(index: MemoryIndex, q: NormalizedQuery, part: Part): PartResult {
  index.ready();
  const cols = index.cols;
  const site = siteCode(index, q.site);
  const needsStats =
    q.metrics.some((m) => SESSION_METRICS.has(m)) ||
    q.dimensions.some(isSessionDimension) ||
    usesSessionDimension(q.filters);
  const stats = needsStats ? sessionStats(index, q.from, q.to, site, part) : null;
  // A top-level filter on one record kind walks that kind's row list instead of every row.
  // Top-level `and`s are flattened first, so a card's (kind is action and name is X) uses the list too.
  const filters = flattenAnd(q.filters);
  const kindFilter = filters.findIndex(
    (f) => f[0] === 'is' && f[1] === 'event:kind' && (f[2] as unknown[]).length === 1,
  );
  const kind =
    kindFilter < 0
      ? 0
      : (KIND_CODE[(filters[kindFilter]![2] as string[])[0] as keyof typeof KIND_CODE] ?? -1);
  const filter = compileFilters(
    index,
    kindFilter < 0 ? filters : filters.filter((_, k) => k !== kindFilter),
    stats,
    { from: q.from, to: q.to, site },
  );
  // Else a filter that needs a user id walks the identified rows only (users, new vs returning).
  const kindList =
    kind > 0 ? index.kindRows[kind] : kind === 0 && filters.some(needsUser) ? index.userRows : undefined;
  // A kind with no rows yet (or no such kind) has an empty list, not a full scan.
  const scan = rowScan(index, q.from, q.to, part, kind !== 0 ? (kindList ?? NO_ROWS) : kindList);
  // The non-local list holds every kind, so the kind filter the list stood for is checked per row.
  const onlyKind = part === 'nonlocal' && kind > 0 ? kind : 0;
  const readers = q.dimensions.map((d) => dimensionReader(index, d, stats));
  const propKeys = propKeysOf(q);
  const propAt = propKeys.length > DIRECT_PROP_KEYS ? new Map(propKeys.map((key, k) => [key, k])) : null;
  const want = new Set(q.metrics);

  const groups: Group[] = [];
  const single = readers.length === 1 ? readers[0]! : null;
  const byCode: number[] = [];
  const byKey = new Map<string, number>();
  const byPair = new Map<number, number>();
  const pair = readers.length === 2 ? (readers as [DimensionReader, DimensionReader]) : null;
  const groupOf = (i: number): number => {
    if (readers.length === 0) return 0;
    if (single) {
      const code = single.code(i);
      let g = byCode[code];
      if (g === undefined) {
        g = byCode[code] = groups.length;
        groups.push(new Group([code], propKeys.length));
      }
      return g;
    }
    if (pair) {
      // Two dimensions, the common case: one numeric key instead of a joined string.
      const c0 = pair[0].code(i);
      const c1 = pair[1].code(i);
      const key = c0 * PAIR_RADIX + c1;
      let g = byPair.get(key);
      if (g === undefined) {
        byPair.set(key, (g = groups.length));
        groups.push(new Group([c0, c1], propKeys.length));
      }
      return g;
    }
    const codes = readers.map((r) => r.code(i));
    const key = codes.join(',');
    let g = byKey.get(key);
    if (g === undefined) {
      byKey.set(key, (g = groups.length));
      groups.push(new Group(codes, propKeys.length));
    }
    return g;
  };
  if (readers.length === 0) groups.push(new Group([], propKeys.length));

  const pool = pools(index);
  const visitors = want.has('visitors') || want.has('conversion_rate') ? pool.visitors : null;
  const users = want.has('users') ? pool.users : null;
  const sessions = stats ? pool.sessions : null;
  visitors?.reset(cols.dicts.visitor.size);
  users?.reset(cols.dicts.user.size);
  sessions?.reset(index.sessionCount);
  const pathCount = cols.dicts.path.size;

  const ts = cols.ts.data;
  const kinds = cols.dict.kind.data;
  const sites = cols.dict.site.data;
  const visitorCol = cols.dict.visitor.data;
  const userCol = cols.dict.user.data;
  const pathCol = cols.dict.path.data;
  const sessionCol = index.session.data;
  const engaged = cols.ints.engaged_ms.data;
  const recipients = cols.ints.recipients.data;
  const scrollCol = cols.ints.scroll.data;
  const props = cols.props;
  const scroll = want.has('scroll_depth') && stats ? new ScrollMax(stats.base, stats.span, pathCount) : null;
  const list = scan.list;

  for (let j = site === -2 || kind < 0 ? scan.end : scan.first; j < scan.end; j++) {
    if ((j & CHECK_MASK) === 0) index.budget.check();
    const i = list ? list[j]! : j;
    if (site >= 0 && sites[i] !== site) continue;
    if (onlyKind !== 0 && kinds[i] !== onlyKind) continue;
    if (!isLocalRow(scan, visitorCol, i)) continue;
    if (filter && !filter(i)) continue;
    const g = groupOf(i);
    const group = groups[g]!;
    const kind = kinds[i]!;
    if (kind === KIND_CODE.pageview) group.pageviews++;
    else if (kind === KIND_CODE.action) group.actions++;
    else if (kind === KIND_CODE.share) {
      group.shares++;
      group.recipients += recipients[i]!;
    } else {
      group.engagedMs += engaged[i]!;
      scroll?.update(g, sessionCol[i]!, pathCol[i]!, scrollCol[i]!);
    }
    const t = ts[i]!;
    if (t < group.firstTs) group.firstTs = t;
    if (t > group.lastTs) group.lastTs = t;
    if (visitors?.add(g, visitorCol[i]!)) group.visitors++;
    if (users && userCol[i] !== 0 && users.add(g, userCol[i]!)) group.users++;
    if (sessions && stats && sessions.add(g, sessionCol[i]!)) addSession(group, stats, sessionCol[i]!);
    if (propKeys.length === 0) continue;
    const own = props[i]!;
    if (propAt) {
      // Stored props are plain JSON objects: for…in sees only their own keys.
      for (const key in own) {
        const k = propAt.get(key);
        const v = own[key];
        if (k !== undefined && typeof v === 'number') group.propSums[k]! += v;
      }
    } else
      for (let k = 0; k < propKeys.length; k++) {
        const key = propKeys[k]!;
        const v = Object.hasOwn(own, key) ? own[key] : undefined;
        if (typeof v === 'number') group.propSums[k]! += v;
      }
  }

  if (scroll) {
    const { sum, count } = scroll.totals(groups.length);
    groups.forEach((group, g) => {
      group.scrollSum = sum[g]!;
      group.scrollCount = count[g]!;
    });
  }
  const found = groups.filter((g) => readers.length === 0 || hasRecords(g));
  for (const group of found) group.labels = group.codes.map((c, k) => readers[k]!.label(c));
  return {
    groups: found,
    visitors: want.has('conversion_rate') ? countVisitors(index, q.from, q.to, site, part) : 0,
  };
}

function addSession(group: Group, stats: SessionStats, session: number): void {
  const s = session - stats.base;
  group.sessions++;
  group.durationMs += stats.lastTs[s]! - stats.firstTs[s]!;
  if (stats.pageviews[s]! > 0) {
    group.sessionsWithPv++;
    if (stats.pageviews[s] === 1 && stats.interactions[s] === 0) group.bounced++;
  }
}

function hasRecords(group: Group): boolean {
  return group.firstTs !== Infinity;
}

function metricValue(metric: Metric, g: Group, totalVisitors: number): number {
  switch (metric) {
    case 'visitors':
      return g.visitors;
    case 'sessions':
      return g.sessions;
    case 'pageviews':
      return g.pageviews;
    case 'events':
      return g.pageviews + g.actions + g.shares;
    case 'actions':
      return g.actions;
    case 'shares':
      return g.shares;
    case 'recipients':
      return g.recipients;
    case 'users':
      return g.users;
    case 'bounce_rate':
      return g.sessionsWithPv ? round2((100 * g.bounced) / g.sessionsWithPv) : 0;
    case 'session_duration':
      return g.sessions ? round2(g.durationMs / g.sessions / 1000) : 0;
    case 'views_per_session':
      return g.sessions ? round2(g.pageviews / g.sessions) : 0;
    case 'time_on_page':
      return g.pageviews ? round2(g.engagedMs / 1000 / g.pageviews) : 0;
    case 'total_time':
      return round2(g.engagedMs / 1000);
    case 'scroll_depth':
      return g.scrollCount ? round2(g.scrollSum / g.scrollCount) : 0;
    case 'conversion_rate':
      return totalVisitors ? round2((100 * g.visitors) / totalVisitors) : 0;
    case 'first_seen':
      return g.firstTs === Infinity ? 0 : g.firstTs;
    case 'last_seen':
      return g.lastTs === -Infinity ? 0 : g.lastTs;
    default:
      return 0;
  }
}

/**
 * Exact distinct (group, id) pairs. Each id keeps the list of groups it was seen in (typed-array
 * linked lists), with its last group in front: rows are in time order, so most repeats hit that
 * and the rest walk a list of a few entries. About 5× faster than a Set of pair keys. An id seen
 * in more than LONG_LIST groups (one visitor sending thousands of action names) moves to a Set of
 * pair keys, so a row never walks a long list: that walk made grouping by name cost names².
 * One instance per id space is reused across queries and reset by undoing only what the last
 * query touched, so a query over one day does not clear arrays sized for the whole history.
 */
class Distinct {
  private last = new Int32Array(0);
  private head = new Int32Array(0);
  private count = new Int32Array(0);
  private group = new Int32Array(1024);
  private next = new Int32Array(1024);
  private idOf = new Int32Array(1024);
  private nodes = 0;
  private readonly long = new Set<number>();

  /** Forgets every pair, making room for ids below `ids`. */
  reset(ids: number): void {
    if (this.last.length < ids) {
      const size = Math.max(ids, this.last.length * 2);
      this.last = new Int32Array(size).fill(-1);
      this.head = new Int32Array(size).fill(-1);
      this.count = new Int32Array(size);
    } else
      for (let n = 0; n < this.nodes; n++) {
        const id = this.idOf[n]!;
        this.last[id] = -1;
        this.head[id] = -1;
        this.count[id] = 0;
      }
    this.nodes = 0;
    this.long.clear();
  }

  /** True the first time the pair is seen. */
  add(group: number, id: number): boolean {
    if (this.last[id] === group) return false;
    this.last[id] = group;
    if (this.count[id]! > LONG_LIST) {
      const key = id * PAIR_RADIX + group;
      if (this.long.has(key)) return false;
      this.long.add(key);
      return true;
    }
    for (let p = this.head[id]!; p >= 0; p = this.next[p]!) if (this.group[p] === group) return false;
    if (this.nodes === this.group.length) {
      this.group = grow(this.group);
      this.next = grow(this.next);
      this.idOf = grow(this.idOf);
    }
    this.group[this.nodes] = group;
    this.next[this.nodes] = this.head[id]!;
    this.idOf[this.nodes] = id;
    this.head[id] = this.nodes++;
    if (++this.count[id]! > LONG_LIST)
      for (let p = this.head[id]!; p >= 0; p = this.next[p]!) this.long.add(id * PAIR_RADIX + this.group[p]!);
    return true;
  }
}

const LONG_LIST = 32;

function grow(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

const distinctPools = new WeakMap<MemoryIndex, { visitors: Distinct; users: Distinct; sessions: Distinct }>();

function pools(index: MemoryIndex) {
  let pool = distinctPools.get(index);
  if (!pool)
    distinctPools.set(
      index,
      (pool = { visitors: new Distinct(), users: new Distinct(), sessions: new Distinct() }),
    );
  return pool;
}

function countVisitors(index: MemoryIndex, from: number, to: number, site: number, part: Part): number {
  const scan = rowScan(index, from, to, part);
  const seen = new Uint8Array(index.cols.dicts.visitor.size);
  const sites = index.cols.dict.site.data;
  const visitors = index.cols.dict.visitor.data;
  let n = 0;
  for (let j = site === -2 ? scan.end : scan.first; j < scan.end; j++) {
    if ((j & CHECK_MASK) === 0) index.budget.check();
    const i = scan.list ? scan.list[j]! : j;
    if (site >= 0 && sites[i] !== site) continue;
    if (!isLocalRow(scan, visitors, i)) continue;
    const v = visitors[i]!;
    if (!seen[v]) {
      seen[v] = 1;
      n++;
    }
  }
  return n;
}

/** True for a filter no record without a user id passes (`user is_not ''`, `user is X`). */
export function needsUser(f: Filter): boolean {
  if (f[1] !== 'user') return false;
  const values = (f[2] as (string | number)[]).map(String);
  if (f[0] === 'is_not') return values.includes('');
  return f[0] === 'is' && !values.includes('');
}

function flattenAnd(filters: Filter[]): Filter[] {
  return filters.flatMap((f) => (f[0] === 'and' ? flattenAnd(f[1] as Filter[]) : [f]));
}

/** True when a filter (at any depth) reads a session-level dimension. */
export function usesSessionDimension(filters: Filter[]): boolean {
  return filters.some((f) =>
    f[0] === 'and' || f[0] === 'or'
      ? usesSessionDimension(f[1] as Filter[])
      : f[0] === 'not'
        ? usesSessionDimension([f[1] as Filter])
        : f[0] !== 'visitor' && isSessionDimension(f[1] as string),
  );
}

/** −1: every site; −2: a site with no records (matches nothing); else the site's code. */
export function siteCode(index: MemoryIndex, site: string | null): number {
  if (site === null) return -1;
  const code = index.cols.dicts.site.lookup(site);
  return code < 0 ? -2 : code;
}
