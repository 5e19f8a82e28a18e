import { round2 } from '../round.ts';
import { bucketLabel, type Interval } from '../../shared/time.ts';
import type { Dimension, Metric, NormalizedQuery } from '../../shared/api.ts';
import type { QueryRows } from '../backend.ts';
import type { ClickHouseConnection } from './connection.ts';
import { raw, sql, type SqlFragment } from './sql.ts';
import {
  dimensionExpr,
  filtersExpr,
  filtersUseSessions,
  holdingCondition,
  isSessionDimension,
} from './expressions.ts';
import { plainRows, scopeWhere, type RangeScope } from './prepared.ts';
import { ATTRIBUTE_COLUMNS, compactSessions, KEYED_ROW_COLUMNS, keyedRows } from './session-build.ts';
import type { SessionKeys, SessionTables } from './session-tables.ts';
import { rows } from './run.ts';

/** Up to this many prop_sum keys are a column each; more are summed as ARRAY JOINed rows. */
export const SUMIF_KEYS = 20;
const SESSION_METRICS = new Set<Metric>(['sessions', 'bounce_rate', 'session_duration', 'views_per_session']);

export interface RecordFigures {
  d: string[];
  visitors: number;
  users: number;
  pageviews: number;
  actions: number;
  shares: number;
  recipients: number;
  engaged: number;
  first_ts: number;
  last_ts: number;
  /** the sums of the wanted numeric props, in propKeys order (empty when they come from wideSums) */
  props: number[];
}
export interface SessionFigures {
  d: string[];
  sessions: number;
  duration: number;
  with_pv: number;
  bounced: number;
}
export interface ScrollFigures {
  d: string[];
  scroll_sum: number;
  pairs: number;
}

/**
 * The general query as SQL: record figures, session figures and scroll depth are three GROUP BYs
 * (run in parallel), merged by group in Node. Only the groups leave ClickHouse; the ratios are
 * computed here exactly as the in-memory engine does (round2).
 *
 * Each reads the least it can: records come from the events table unless they are grouped or
 * filtered by a session attribute (then from the range's wide session table); session totals of
 * an unfiltered, ungrouped query come from the per-session attributes alone; scroll depth keys
 * only the engagement records with their session. So `overall`, whose session questions are of
 * those kinds, never waits for the wide copy (session-tables.ts).
 */
export async function aggregate(
  conn: ClickHouseConnection,
  table: SqlFragment,
  sessions: SessionTables,
  q: NormalizedQuery,
): Promise<QueryRows> {
  return finish(q, await figures(conn, table, sessions, q));
}

/** A prop key's sum per group, for the queries summing more than SUMIF_KEYS keys. */
export interface WideSum {
  d: string[];
  pk: string;
  total: number;
}

/**
 * The grouped figures a query's metrics are computed from. All of them add up over parts of the
 * rows that share no visitor and no session (rollups.ts sums them over days), except `users`,
 * `first_ts`, `last_ts` and `totalVisitors`, which only queries that are never split ask for.
 */
export interface Figures {
  records: RecordFigures[];
  sessions: SessionFigures[];
  scroll: ScrollFigures[];
  wide: WideSum[];
  totalVisitors: number;
}

/** The figures of `q` over its range, or only over the rows also matching `rest`. */
export async function figures(
  conn: ClickHouseConnection,
  table: SqlFragment,
  sessions: SessionTables,
  q: NormalizedQuery,
  rest?: SqlFragment,
): Promise<Figures> {
  const scope: RangeScope = { table, site: q.site, from: q.from, to: q.to, rest };
  const want = new Set(q.metrics);
  const wantSessions = q.metrics.some((m) => SESSION_METRICS.has(m));
  const wantScroll = want.has('scroll_depth');
  const sessionColumns = q.dimensions.some(isSessionDimension) || filtersUseSessions(q.filters);
  const wholeSessions = wantSessions && q.dimensions.length === 0 && q.filters.length === 0;
  const where = filtersExpr(q.filters, scope);
  const holding = holdingCondition(q.filters, scope);
  const dims = q.dimensions.map((d, i) => `${dimensionExpr(d).text} AS d${i}`);
  const dimNames = q.dimensions.map((_, i) => `d${i}`);
  const dimArray = raw(`[${dimNames.join(', ')}]`);
  const groupBy = dimNames.length ? raw(`GROUP BY ${dimNames.join(', ')}`) : raw('');
  const select = raw(dims.length ? dims.join(', ') + ',' : '');
  const propKeys = propKeysOf(q);
  // Up to SUMIF_KEYS keys (every API query: validate.ts caps prop_sum metrics at 20) are a sumIf
  // column each. More (overall's action sums, up to 100 names × 20 keys) are one statement over
  // the ARRAY JOINed props, grouped by key as well, so a row costs its own props and the
  // statement does not grow a column per key (security review C1).
  const manyKeys = propKeys.length > SUMIF_KEYS;
  const propSums = (manyKeys ? [] : propKeys).map(
    (k) =>
      sql`sumIf(toFloat64OrZero(prop_values[indexOf(prop_keys, ${k})]), prop_numeric[indexOf(prop_keys, ${k})] = 1)`
        .text,
  );
  // Each statement starts as soon as what it reads exists: records at once, scroll depth once
  // the unit starts are made, session totals once the attributes are. A query grouped or
  // filtered by session reads a copy of only the columns its statements name.
  const wide = sessionColumns
    ? sessions.get(
        scope,
        columnsNamed([
          where.text,
          ...dims,
          recordFigures(want),
          ...propSums,
          manyKeys ? 'prop_keys prop_values prop_numeric' : '',
          wantScroll ? 'kind path scroll' : '',
          wantSessions ? 's_first_ts s_last_ts s_pageviews s_interactions' : '',
        ]),
      )
    : null;
  const recordSource = sessionColumns
    ? wide!.then((w) => sql`SELECT * FROM (${w}) WHERE ${where}`)
    : Promise.resolve(plainRows(scope, where));
  // Questions over plain records are gathered with the others of the same scope (record-batch.ts).
  const records =
    sessionColumns || manyKeys
      ? recordSource.then((source) =>
          rows<RecordFigures>(
            conn,
            sql`SELECT ${dimArray} AS d, ${raw(recordFigures(want))}, [${raw(propSums.join(', '))}] AS props
      FROM (SELECT ${select} * FROM (${source})) ${groupBy}`,
          ),
        )
      : sessions.records
          .figures(
            scope,
            {
              dims: q.dimensions.map((d) => dimensionExpr(d).text),
              where,
              figures: wantedFigures(want),
              propKeys,
            },
            ALL_FIGURES,
          )
          .then((found) => found as unknown as RecordFigures[]);
  const wideSums = manyKeys
    ? recordSource.then((source) =>
        rows<{ d: string[]; pk: string; total: number }>(
          conn,
          sql`SELECT ${dimArray} AS d, pk, sum(toFloat64OrZero(pval)) AS total
          FROM (SELECT ${select} prop_keys, prop_values, prop_numeric FROM (${source}))
          ARRAY JOIN prop_keys AS pk, prop_values AS pval, prop_numeric AS pnum
          WHERE pnum = 1 AND has(${propKeys}, pk)
          GROUP BY ${raw([...dimNames, 'pk'].join(', '))}`,
        ),
      )
    : Promise.resolve([]);
  const sessionFigures = !wantSessions
    ? Promise.resolve([])
    : wholeSessions
      ? sessions.keys(scope).then((keys) => rows<SessionFigures>(conn, wholeSessionFigures(keys.attributes)))
      : !wide
        ? !fromAttributes(q, sessions.hasKeys(scope, holding))
          ? rows<SessionFigures>(conn, sessionsByRecordGroup(scope, where, q.dimensions))
          : sessions
              .keys(scope, holding)
              .then((keys) => rows<SessionFigures>(conn, sessionsOfMatches(scope, keys, where, q.dimensions)))
        : wide.then((w) =>
            rows<SessionFigures>(
              conn,
              sql`SELECT ${dimArray} AS d, count() AS sessions, sum(dur) AS duration,
            countIf(pv > 0) AS with_pv, countIf(pv = 1 AND inter = 0) AS bounced
          FROM (
            SELECT ${select} sess, any(s_last_ts - s_first_ts) AS dur, any(s_pageviews) AS pv, any(s_interactions) AS inter
            FROM (${w}) WHERE ${where} GROUP BY ${raw([...dimNames, 'sess'].join(', '))}
          ) ${groupBy}`,
            ),
          );
  const engagement = raw(`kind = 'engagement'`);
  const scroll = wantScroll
    ? (
        wide ??
        // Only the matching engagement records are keyed: under a filter, a fraction of them.
        sessions
          .units(scope)
          .then((units) => keyedRows(scope, units, undefined, sql`${engagement} AND (${where})`))
      ).then((source) =>
        rows<ScrollFigures>(
          conn,
          sql`SELECT ${dimArray} AS d, sum(m) AS scroll_sum, count() AS pairs
          FROM (
            SELECT ${select} sess, path, max(scroll) AS m
            FROM (${source})
            WHERE ${engagement} AND (${where}) GROUP BY ${raw([...dimNames, 'sess', 'path'].join(', '))}
          ) ${groupBy}`,
        ),
      )
    : Promise.resolve([]);
  const total = want.has('conversion_rate')
    ? rows<{ n: number }>(conn, sql`SELECT uniqExact(visitor) AS n FROM ${table} WHERE ${scopeWhere(scope)}`)
    : Promise.resolve([{ n: 0 }]);

  const [recordRows, sessionRows, scrollRows, [totalRow], wideRows] = await Promise.all([
    records,
    sessionFigures,
    scroll,
    total,
    wideSums,
  ]);
  return {
    records: recordRows,
    sessions: sessionRows,
    scroll: scrollRows,
    wide: wideRows,
    totalVisitors: Number(totalRow?.n ?? 0),
  };
}

/** The rows of `q` from its figures: ratios are computed here exactly as the in-memory engine does. */
export function finish(q: NormalizedQuery, f: Figures): QueryRows {
  const { records: recordRows, sessions: sessionRows, scroll: scrollRows, wide: wideRows, totalVisitors } = f;
  const propKeys = propKeysOf(q);
  const manyKeys = propKeys.length > SUMIF_KEYS;
  const wideByGroup = new Map<string, Map<string, number>>();
  for (const r of wideRows) {
    const key = JSON.stringify(r.d);
    let sums = wideByGroup.get(key);
    if (!sums) wideByGroup.set(key, (sums = new Map()));
    sums.set(r.pk, Number(r.total));
  }
  const bySession = new Map(sessionRows.map((r) => [JSON.stringify(r.d), r]));
  const byScroll = new Map(scrollRows.map((r) => [JSON.stringify(r.d), r]));
  return recordRows.map((r) => {
    const key = JSON.stringify(r.d);
    const s = bySession.get(key);
    const sc = byScroll.get(key);
    const sumOf = manyKeys
      ? (wideByGroup.get(key) ?? new Map<string, number>())
      : new Map(propKeys.map((k, n) => [k, Number(r.props[n] ?? 0)]));
    return {
      dimensions: r.d.map((value, i) => label(q.dimensions[i]!, value)),
      metrics: q.metrics.map((m) =>
        m.startsWith('prop_sum:')
          ? round2(sumOf.get(m.slice(9)) ?? 0)
          : metricValue(m, r, s, sc, totalVisitors),
      ),
    };
  });
}

/**
 * Session figures grouped by record dimensions under record filters: a session counts in each
 * group of its matching records, with its in-range totals. Only the units holding a matching
 * record are sessionized, in the statement itself (compactSessions), so one user's figures sort
 * that user's records, not a copy of the whole range with every session attribute.
 */
function sessionsByRecordGroup(
  scope: RangeScope,
  where: SqlFragment,
  dimensions: readonly Dimension[],
): SqlFragment {
  const d = groupsOf(dimensions);
  const rows = compactSessions(scope, { k: raw('toString(kind)'), m: where, d }, where);
  return sql`SELECT d, count() AS sessions, sum(dur) AS duration,
      countIf(pv > 0) AS with_pv, countIf(pv = 1 AND inter = 0) AS bounced
    FROM (
      SELECT sess, max(ts) - min(ts) AS dur, countIf(k = 'pageview') AS pv,
        countIf(k = 'action' OR k = 'share') AS inter, groupUniqArrayIf(d, m) AS groups
      FROM (${rows})
      GROUP BY sess
    ) ARRAY JOIN groups AS d
    GROUP BY d`;
}

/** A record's values of `dimensions` as one Array(String). */
function groupsOf(dimensions: readonly Dimension[]): SqlFragment {
  return dimensions.length
    ? raw(`[${dimensions.map((dim) => dimensionExpr(dim).text).join(', ')}]`)
    : raw('emptyArrayString()');
}

const WIDE_COLUMNS = new Set([...KEYED_ROW_COLUMNS, ...ATTRIBUTE_COLUMNS]);

/**
 * The wide copy's columns that SQL texts name, plus the session key. A word of a string literal
 * may name one more column than needed, which only costs its copy.
 */
export function columnsNamed(texts: readonly string[]): string[] {
  // Aliases (`0 AS recipients`) name no column read.
  const named = texts.join(' ').replace(/\bAS\s+[A-Za-z_][A-Za-z0-9_]*/g, ' ');
  const words = new Set(named.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []);
  return [...WIDE_COLUMNS].filter((c) => c === 'sess' || words.has(c));
}

/**
 * Whether session figures under record filters read the range's attributes (sessionsOfMatches)
 * rather than sessionizing the matching units in the statement (sessionsByRecordGroup). The
 * attributes cost the whole range, so they pay when the range has them anyway, or for
 * ungrouped totals, the shape of a filtered `overall`'s head, whose top lists need them next.
 * Measured at 30 days on 1M events at load 25–30: a filtered overall 28 → 19 statements, but
 * pages of mobile visits (grouped, alone) 5.4 → 7.5 M rows read through the attributes. Filters
 * about users (user/{id}, the users list) keep their few units in the statement.
 */
function fromAttributes(q: NormalizedQuery, attributesMade: boolean): boolean {
  if (q.filters.some((f) => (f[0] === 'is' || f[0] === 'is_not') && f[1] === 'user')) return false;
  return attributesMade || q.dimensions.length === 0;
}

/**
 * The same figures as sessionsByRecordGroup from the range's session tables: the (group, session)
 * pairs of the matching records, joined with the session's in-range totals. The attributes are
 * shared with the other questions of the range (a filtered `overall`'s top lists need them too),
 * so its session totals cost one join instead of a second sessionization (1.4–1.7 s against
 * 0.2 s at 30 days on 1M events at load 10).
 */
function sessionsOfMatches(
  scope: RangeScope,
  keys: SessionKeys,
  where: SqlFragment,
  dimensions: readonly Dimension[],
): SqlFragment {
  const d = groupsOf(dimensions);
  return sql`SELECT d, count() AS sessions, sum(s_last_ts - s_first_ts) AS duration,
      countIf(s_pageviews > 0) AS with_pv, countIf(s_pageviews = 1 AND s_interactions = 0) AS bounced
    FROM (SELECT DISTINCT ${d} AS d, sess FROM (${keyedRows(scope, keys.units, undefined, where)}))
    ANY LEFT JOIN ${keys.attributes} USING (sess)
    GROUP BY d`;
}

/** The keys of the query's prop_sum metrics, each once, in metric order. */
export function propKeysOf(q: NormalizedQuery): string[] {
  return [...new Set(q.metrics.filter((m) => m.startsWith('prop_sum:')).map((m) => m.slice(9)))];
}

/** Session totals over every session of the range, from its attributes table. */
function wholeSessionFigures(attributes: SqlFragment): SqlFragment {
  return sql`SELECT [] AS d, count() AS sessions, sum(s_last_ts - s_first_ts) AS duration,
    countIf(s_pageviews > 0) AS with_pv, countIf(s_pageviews = 1 AND s_interactions = 0) AS bounced
  FROM ${attributes}`;
}

/** Which metrics need each record figure: the others are sent as 0, which saves a third of a top list's time. */
const FIGURE_USERS: Record<Exclude<keyof RecordFigures, 'd' | 'props'>, [string, Metric[]]> = {
  visitors: ['uniqExact(visitor)', ['visitors', 'conversion_rate']],
  users: ["uniqExactIf(user, user != '')", ['users']],
  pageviews: ["countIf(kind = 'pageview')", ['pageviews', 'events', 'views_per_session', 'time_on_page']],
  actions: ["countIf(kind = 'action')", ['actions', 'events']],
  shares: ["countIf(kind = 'share')", ['shares', 'events']],
  recipients: ["sumIf(recipients, kind = 'share')", ['recipients']],
  engaged: ["sumIf(engaged_ms, kind = 'engagement')", ['time_on_page', 'total_time']],
  first_ts: ['min(ts)', ['first_seen']],
  last_ts: ['max(ts)', ['last_seen']],
};

/** Every record figure as `expr AS name`. */
const ALL_FIGURES = Object.entries(FIGURE_USERS).map(([name, [expr]]) => `${expr} AS ${name}`);

/** The record figures the metrics need, as `expr AS name`. */
function wantedFigures(want: ReadonlySet<Metric>): string[] {
  return Object.entries(FIGURE_USERS)
    .filter(([, [, users]]) => users.some((m) => want.has(m)))
    .map(([name, [expr]]) => `${expr} AS ${name}`);
}

// count() keeps it an aggregation (one row, or one per group) when no figure is needed.
function recordFigures(want: ReadonlySet<Metric>): string {
  return Object.entries(FIGURE_USERS)
    .map(([name, [expr, users]]) => `${users.some((m) => want.has(m)) ? expr : '0'} AS ${name}`)
    .concat('count() AS matched')
    .join(', ');
}

/** A dimension value as the API shows it: time buckets come back from SQL as epoch ms (month as YYYYMM). */
export function label(dim: Dimension, value: string): string {
  if (!dim.startsWith('time:')) return value;
  if (dim === 'time:month') return `${value.slice(0, 4)}-${value.slice(4, 6)}`;
  return bucketLabel(Number(value), dim.slice(5) as Interval);
}

function metricValue(
  metric: Metric,
  r: RecordFigures,
  s: SessionFigures | undefined,
  sc: ScrollFigures | undefined,
  totalVisitors: number,
): number {
  const n = (v: number | undefined) => Number(v ?? 0);
  const sessions = n(s?.sessions);
  const pageviews = n(r.pageviews);
  switch (metric) {
    case 'visitors':
      return n(r.visitors);
    case 'sessions':
      return sessions;
    case 'pageviews':
      return pageviews;
    case 'events':
      return pageviews + n(r.actions) + n(r.shares);
    case 'actions':
      return n(r.actions);
    case 'shares':
      return n(r.shares);
    case 'recipients':
      return n(r.recipients);
    case 'users':
      return n(r.users);
    case 'bounce_rate':
      return n(s?.with_pv) ? round2((100 * n(s?.bounced)) / n(s?.with_pv)) : 0;
    case 'session_duration':
      return sessions ? round2(n(s?.duration) / sessions / 1000) : 0;
    case 'views_per_session':
      return sessions ? round2(pageviews / sessions) : 0;
    case 'time_on_page':
      return pageviews ? round2(n(r.engaged) / 1000 / pageviews) : 0;
    case 'total_time':
      return round2(n(r.engaged) / 1000);
    case 'scroll_depth':
      return n(sc?.pairs) ? round2(n(sc?.scroll_sum) / n(sc?.pairs)) : 0;
    case 'conversion_rate':
      return totalVisitors ? round2((100 * n(r.visitors)) / totalVisitors) : 0;
    case 'first_seen':
      return n(r.first_ts);
    case 'last_seen':
      return n(r.last_ts);
    default:
      return 0;
  }
}
