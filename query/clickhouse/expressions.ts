import {
  RECORD_DIMENSION_FIELD,
  type Dimension,
  type Filter,
  type VisitorFilterDimension,
} from '../../shared/api.ts';
import { quote, raw, sql, type SqlFragment } from './sql.ts';
import { scopeWhere, type RangeScope } from './prepared.ts';

/**
 * Dimensions and filters as SQL over the prepared rows (prepared.ts). Every dimension is a String
 * expression, so filters compare text exactly the way the in-memory engine does; time buckets are
 * returned as their start in epoch ms (month as YYYYMM) and labelled in Node by shared/time.ts.
 */

/** Session dimensions → the column of the joined session attributes. */
export const SESSION_COLUMN: Record<string, string> = {
  entry_page: 's_entry',
  exit_page: 's_exit',
  source: 's_source',
  channel: 's_channel',
  referrer: 's_referrer',
  utm_source: 's_utm_source',
  utm_medium: 's_utm_medium',
  utm_campaign: 's_utm_campaign',
};

export function isSessionDimension(dim: string): boolean {
  return dim in SESSION_COLUMN;
}

const DAY = 'intDiv(ts, 86400000)';

/** The String expression of a dimension. */
export function dimensionExpr(dim: Dimension): SqlFragment {
  if (dim in RECORD_DIMENSION_FIELD)
    return raw(`toString(${RECORD_DIMENSION_FIELD[dim as keyof typeof RECORD_DIMENSION_FIELD]})`);
  if (dim in SESSION_COLUMN) return raw(SESSION_COLUMN[dim]!);
  if (dim === 'share:channel') return raw(`if(kind = 'share', toString(name), '')`);
  if (dim === 'time:hour') return raw('toString(intDiv(ts, 3600000) * 3600000)');
  if (dim === 'time:day') return raw(`toString(${DAY} * 86400000)`);
  // 1970-01-01 was a Thursday: (day + 3) % 7 is the days since Monday.
  if (dim === 'time:week') return raw(`toString((${DAY} - (${DAY} + 3) % 7) * 86400000)`);
  if (dim === 'time:month') return raw(`toString(toYYYYMM(toDateTime(intDiv(ts, 1000), 'UTC')))`);
  if (dim.startsWith('event:props:')) {
    // Index 0 (absent key) reads as '' in ClickHouse, which is what the API promises.
    return sql`prop_values[indexOf(prop_keys, ${dim.slice('event:props:'.length)})]`;
  }
  throw new Error(`unknown dimension ${dim}`);
}

/** Whether any filter refers to a session dimension (then the session attributes are needed). */
export function filtersUseSessions(filters: readonly Filter[]): boolean {
  return filters.some((f) =>
    f[0] === 'and' || f[0] === 'or'
      ? filtersUseSessions(f[1] as Filter[])
      : f[0] === 'not'
        ? filtersUseSessions([f[1] as Filter])
        : f[0] !== 'visitor' && isSessionDimension(f[1] as string),
  );
}

/**
 * The records a question's sessions must hold, as one condition on the events table: its record
 * filters but those on the record kind, and-ed (null when none is left). Every session a
 * question under `filters` counts holds such a record, so its session attributes need only be
 * made for the units holding one; leaving out the kind lets the questions of one filtered
 * `overall` (totals, page-view lists, pages with engagement) share them.
 */
export function holdingCondition(filters: readonly Filter[], scope: RangeScope): SqlFragment | null {
  const records = filters.filter((f) => !filtersUseSessions([f]) && !isKindFilter(f));
  return records.length ? filtersExpr(records, scope) : null;
}

function isKindFilter(f: Filter): boolean {
  return f[0] !== 'and' && f[0] !== 'or' && f[0] !== 'not' && f[0] !== 'visitor' && f[1] === 'event:kind';
}

/**
 * All filters and-ed into one condition ('1' when there is none). `visitor:action` and
 * `visitor:share` filters need the query's `scope`: they test the visitor against the range's
 * actions or shares.
 */
export function filtersExpr(filters: readonly Filter[], scope?: RangeScope): SqlFragment {
  if (filters.length === 0) return raw('1');
  return raw(filters.map((f) => `(${filterExpr(f, scope).text})`).join(' AND '));
}

function filterExpr(filter: Filter, scope: RangeScope | undefined): SqlFragment {
  if (filter[0] === 'and' || filter[0] === 'or') {
    const parts = (filter[1] as Filter[]).map((f) => `(${filterExpr(f, scope).text})`);
    if (parts.length === 0) return raw(filter[0] === 'and' ? '1' : '0');
    return raw(parts.join(filter[0] === 'and' ? ' AND ' : ' OR '));
  }
  if (filter[0] === 'not') return raw(`NOT (${filterExpr(filter[1] as Filter, scope).text})`);
  if (filter[0] === 'visitor') {
    if (!scope) throw new Error("visitor filters need the query's range");
    // The visitors with a passing record in the range (the inner filter reads record columns only).
    // GLOBAL, as below: a plain IN over the Distributed table is refused on a cluster
    // ("Double-distributed IN/JOIN subqueries is denied"), and a visitor's records may sit on two shards.
    return sql`visitor GLOBAL IN (SELECT visitor FROM ${scope.table}
      WHERE ${scopeWhere(scope)} AND (${filterExpr(filter[1] as Filter, scope)}))`;
  }
  const [op, key, values] = filter as [string, Dimension | VisitorFilterDimension, (string | number)[]];
  if (key === 'visitor:action' || key === 'visitor:share') {
    if (!scope) throw new Error(`${key} filters need the query's range`);
    // The visitors with a passing action (share) in the range; is_not: those without one.
    // GLOBAL: on a cluster the set is made once from every shard and sent to each, since a
    // visitor's actions may sit on another shard than its page views (explicit sessions).
    const kind = key === 'visitor:action' ? 'action' : 'share';
    const name = filterExpr([op === 'is_not' ? 'is' : (op as 'is'), 'event:name', values], scope);
    return sql`visitor ${raw(op === 'is_not' ? 'GLOBAL NOT IN' : 'GLOBAL IN')} (SELECT visitor FROM ${scope.table}
      WHERE ${scopeWhere(scope)} AND kind = ${kind} AND (${name}))`;
  }
  const dim = key;
  const e = dimensionExpr(dim).text;
  const texts = values.map(String);
  switch (op) {
    case 'is':
      return texts.length ? raw(`${e} IN (${texts.map(quote).join(', ')})`) : raw('0');
    case 'is_not':
      return texts.length ? raw(`${e} NOT IN (${texts.map(quote).join(', ')})`) : raw('1');
    case 'contains':
      return anyOf(texts.map((t) => `position(lowerUTF8(${e}), ${quote(t.toLowerCase())}) > 0`));
    case 'matches':
      return anyOf(texts.map((t) => `match(${e}, ${quote(t)})`));
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const limit = Number(texts[0]);
      if (!Number.isFinite(limit)) return raw('0');
      const cmp = { gt: '>', gte: '>=', lt: '<', lte: '<=' }[op];
      // A number as JavaScript's Number() reads most of them; anything else never matches.
      return raw(
        `(match(${e}, ${quote(NUMBER_PATTERN)}) AND toFloat64OrZero(replaceRegexpAll(${e}, '^\\s*[+]?|\\s+$', '')) ${cmp} ${quote(limit)})`,
      );
    }
    default:
      throw new Error(`unknown filter operator ${op}`);
  }
}

const NUMBER_PATTERN = '^\\s*[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?\\s*$';

function anyOf(parts: string[]): SqlFragment {
  return raw(parts.length ? parts.map((p) => `(${p})`).join(' OR ') : '0');
}
