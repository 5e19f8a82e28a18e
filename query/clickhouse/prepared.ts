import { SESSION_GAP_MS } from '../../shared/api.ts';
import { RECORD_KINDS } from '../../storage/schema.ts';
import { raw, sql, type SqlFragment } from './sql.ts';

/**
 * The rows every query reads: the records of one site (or all) in [from, to), optionally with
 * their session key and the session's attributes (see "Session" in shared/api.ts).
 *
 * Sessions without window functions, so it runs on 18.16: per unit, (site, explicit session) or
 * (site, visitor), the records are gathered into one array sorted by (ts, kind), a new session
 * starts where the gap to the previous record exceeds 30 minutes (never for explicit sessions),
 * `arrayCumSum` numbers the runs, and ARRAY JOIN turns the arrays back into rows. That carries
 * every column through the arrays, so it serves only a few units (a user's timeline); whole
 * ranges are sessionized by session-build.ts.
 */

/** Columns carried through the per-unit arrays, in tuple order after (ts, kind order). */
export const CARRIED = [
  'kind',
  'visitor',
  'user',
  'path',
  'name',
  'country',
  'region',
  'city',
  'browser',
  'os',
  'device',
  'source',
  'channel',
  'referrer',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'engaged_ms',
  'scroll',
  'recipients',
  'props',
  'prop_keys',
  'prop_values',
  'prop_numeric',
] as const;

/** A record's kind as its place in RECORD_KINDS: (ts, kord) orders the records of one instant. */
export const KIND_ORDER = sql`toUInt8(indexOf(${[...RECORD_KINDS]}, kind))`;

/** Columns of the prepared rows without sessions. */
const PLAIN = ['site', 'ts', ...CARRIED] as const;

export interface RangeScope {
  /** `db`.`events` */
  table: SqlFragment;
  site: string | null;
  from: number;
  to: number;
  /**
   * Only the rows also matching this (rollups.ts: the rows its rolled-up days do not cover). Part
   * of the scope, so the range's session tables are keyed by it too.
   */
  rest?: SqlFragment;
}

/**
 * WHERE for the scope: site and ts range. The same range on `time` (whole seconds) lets ClickHouse
 * skip partitions, and on `toDate(time)` (the sort key's second column) skip granules: 18.16
 * derives neither from a bound on `ts`, nor a `toDate` bound from one on `time`, so without the
 * explicit day bounds a 24 h list read its whole month (145,702 rows against 63,782 here).
 */
export function scopeWhere(scope: RangeScope): SqlFragment {
  const site = scope.site === null ? raw('1') : sql`site = ${scope.site}`;
  const first = Math.floor(Math.max(0, scope.from) / 1000);
  const last = Math.floor(Math.max(0, scope.to - 1) / 1000);
  const rest = scope.rest ? sql` AND (${scope.rest})` : raw('');
  return sql`${site} AND ts >= ${scope.from} AND ts < ${scope.to}
    AND time >= toDateTime(${first}) AND time <= toDateTime(${last})
    AND toDate(time) >= toDate(${dayOf(first)}) AND toDate(time) <= toDate(${dayOf(last)})${rest}`;
}

/** 'YYYY-MM-DD' (UTC) of an epoch second, as a literal 18.16 compares with toDate(time). */
export function dayOf(epochSecond: number): string {
  // Date ends in 2105: a later bound would wrap, so it is clamped (ts still bounds exactly).
  return new Date(Math.min(epochSecond, LAST_DATE_SECOND) * 1000).toISOString().slice(0, 10);
}
const LAST_DATE_SECOND = Date.UTC(2105, 11, 31) / 1000;

/**
 * Records in scope (only those matching `where`), record columns only. A filter given here runs
 * on the table itself, where ClickHouse reads and tests the cheap conditions first (PREWHERE):
 * a metric card's numeric prop filter (a regex) took 0.2 s there against 0.46 s outside.
 */
export function plainRows(scope: RangeScope, where: SqlFragment = raw('1')): SqlFragment {
  return sql`SELECT ${raw(PLAIN.join(', '))}, ${KIND_ORDER} AS kord FROM ${scope.table} WHERE ${scopeWhere(scope)} AND (${where})`;
}

/**
 * Records in scope with `sess`, an opaque session key. `unitFilter` (a SELECT of (site, unit)
 * pairs) limits the work to the units holding some record of interest; `columns` limits what is
 * carried through the arrays (the cost of this query grows with it).
 */
export function sessionRows(
  scope: RangeScope,
  unitFilter?: SqlFragment,
  carried: readonly string[] = CARRIED,
): SqlFragment {
  const columns = ['ts', 'kord', ...carried];
  const tuple = columns.join(', ');
  const unpack = columns.map((c, i) => `tupleElement(row, ${i + 1}) AS ${c}`).join(', ');
  // GLOBAL: the filter reads the events table too, which on a cluster is Distributed.
  const units = unitFilter ? sql` AND (site, unit) GLOBAL IN (${unitFilter})` : raw('');
  return sql`SELECT site, ${raw(unpack)}, concat(unit, '#', toString(num)) AS sess
FROM (
  SELECT site, unit,
    arraySort(r -> (tupleElement(r, 1), tupleElement(r, 2)), groupArray(tuple(${raw(tuple)}))) AS rows,
    arrayMap(r -> tupleElement(r, 1), rows) AS tss,
    arrayCumSum(arrayMap((d, i) -> toUInt32(i = 1 OR (substring(unit, 1, 1) = 'v' AND d > ${SESSION_GAP_MS})), arrayDifference(tss), arrayEnumerate(tss))) AS nums
  FROM (
    SELECT *, ${KIND_ORDER} AS kord,
      if(session != '', concat('s', site, '\\0', session), concat('v', site, '\\0', visitor)) AS unit
    FROM ${scope.table}
    WHERE ${scopeWhere(scope)}${units}
  )
  GROUP BY site, unit
)
ARRAY JOIN rows AS row, nums AS num`;
}

/** The unit key expression on the events table, for `unitFilter`. */
export const UNIT_EXPR = raw(
  `if(session != '', concat('s', site, '\\0', session), concat('v', site, '\\0', visitor))`,
);
