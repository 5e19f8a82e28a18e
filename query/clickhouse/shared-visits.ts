import type { Filter, NormalizedQuery } from '../../shared/api.ts';
import type { QueryRows } from '../backend.ts';
import type { ClickHouseConnection } from './connection.ts';
import { raw, sql, type SqlFragment } from './sql.ts';
import { filtersExpr, filtersUseSessions, SESSION_COLUMN } from './expressions.ts';
import { scopeWhere, type RangeScope } from './prepared.ts';
import { compactSessions } from './session-build.ts';
import { rows } from './run.ts';

/** Session attributes taken from the session's first page view: a session passing a filter on them has a page view passing it. */
const FIRST_PAGEVIEW = ['source', 'channel', 'referrer', 'utm_source', 'utm_medium', 'utm_campaign'] as const;

/**
 * Whether `sessionsByEntry` can answer: record filters only in `q`, and `visit` on first-page-view
 * attributes. `visitor` filters are left to the general query: their plain IN over the events
 * table would sit inside this statement's read of the (on a cluster Distributed) table, which
 * ClickHouse denies as a double-distributed subquery.
 */
export function entryAnswerable(q: Pick<NormalizedQuery, 'filters'>, visit: Filter): boolean {
  return !filtersUseSessions(q.filters) && !q.filters.some(readsVisitors) && usesOnlyFirstPageview(visit);
}

function readsVisitors(filter: Filter): boolean {
  if (filter[0] === 'visitor') return true;
  if (filter[0] === 'and' || filter[0] === 'or') return (filter[1] as Filter[]).some(readsVisitors);
  if (filter[0] === 'not') return readsVisitors(filter[1] as Filter);
  return false;
}

/**
 * Sessions and visitors by `source`, of the page views matching the record filters of `q` in the
 * sessions passing `visit` (virality's shared visits): the same rows as the general query grouped
 * by `source` under `q.filters`, page views only and `visit`.
 *
 * The general query builds the range's wide session table for it (every record of every session,
 * 1–2.5 s at 30 days on 1M events). Here only the units that hold a page view whose attributes
 * pass `visit` can hold such a session (its attributes are those of its first page view), and
 * only they are sessionized, in the statement itself (a few per cent of the units for shared
 * links).
 */
export async function sessionsByEntry(
  conn: ClickHouseConnection,
  table: SqlFragment,
  q: NormalizedQuery,
  visit: Filter,
): Promise<QueryRows> {
  const scope: RangeScope = { table, site: q.site, from: q.from, to: q.to };
  const where = filtersExpr(q.filters, scope);
  const passes = filtersExpr([visit], scope);
  const columns = FIRST_PAGEVIEW.join(', ');
  const attributes = FIRST_PAGEVIEW.map((c) => `${SESSION_COLUMN[c]!}`).join(', ');
  // The page-view attribute tuples of the range that pass `visit`, named as the session columns it tests.
  const passing = sql`(${raw(columns)}) GLOBAL IN (SELECT ${raw(attributes)} FROM (
      SELECT DISTINCT ${raw(FIRST_PAGEVIEW.map((c) => `${c} AS ${SESSION_COLUMN[c]!}`).join(', '))}
      FROM ${table} WHERE ${scopeWhere(scope)} AND kind = 'pageview'
    ) WHERE ${passes})`;
  const fields: Record<string, SqlFragment> = {
    k: raw('toString(kind)'),
    v: raw('visitor'),
    m: sql`kind = 'pageview' AND (${where})`,
  };
  for (const c of FIRST_PAGEVIEW) fields[`a_${c}`] = raw(c);
  const first = FIRST_PAGEVIEW.map(
    (c) => `argMinIf(a_${c}, ts * 4 + kord, k = 'pageview') AS ${SESSION_COLUMN[c]!}`,
  ).join(', ');
  const found = await rows<{ d: string; sessions: number; visitors: number }>(
    conn,
    sql`SELECT s_source AS d, count() AS sessions, uniqExactArray(vs) AS visitors
      FROM (
        SELECT sess, countIf(m) AS hits, groupUniqArrayIf(v, m) AS vs, ${raw(first)}
        FROM (${compactSessions(scope, fields, sql`kind = 'pageview' AND ${passing}`)})
        GROUP BY sess
      )
      WHERE hits > 0 AND (${passes})
      GROUP BY d`,
  );
  return found.map((r) => ({ dimensions: [r.d], metrics: [Number(r.sessions), Number(r.visitors)] }));
}

function usesOnlyFirstPageview(filter: Filter): boolean {
  if (filter[0] === 'and' || filter[0] === 'or') return (filter[1] as Filter[]).every(usesOnlyFirstPageview);
  if (filter[0] === 'not') return usesOnlyFirstPageview(filter[1] as Filter);
  return (FIRST_PAGEVIEW as readonly string[]).includes(filter[1] as string);
}
