import { SESSION_GAP_MS } from '../../shared/api.ts';
import { raw, sql, type SqlFragment } from './sql.ts';
import { CARRIED, KIND_ORDER, scopeWhere, type RangeScope } from './prepared.ts';

/**
 * The statements that sessionize one range into Memory tables (see "Session" in
 * shared/api.ts), shaped by what ClickHouse does fast: narrow arrays, GROUP BYs and
 * joins on UInt64 keys. Gathering every column into per-visitor arrays and sorting tuples was what
 * made the first version slow (12 s for 800k rows against 0.5 s for a plain GROUP BY).
 *
 * 1. `unitStarts`: per unit, (site, explicit session) or (site, visitor), only its ts array,
 *    sorted, gives the start time of each of its sessions (18.16 has no window functions).
 * 2. `keyedRows`: every record, joined to its unit's starts, gets `sess`: the hash of its unit and
 *    the last start not after its ts. Equal ts never split, so (unit, ts) decides the session.
 * 3. `sessionAttributes`: one GROUP BY sess over the keyed rows, reading only the few columns it
 *    needs (the join is cheap next to copying every column).
 * 4. `withAttributes`: the keyed rows with every column, joined with their session's attributes,
 *    copied once per range for general queries grouped or filtered by session. The props JSON is
 *    left out: only event lists read it, and they sessionize their own few units (prepared.ts).
 *    That copy is more than half of the build, so the questions of `overall` skip it: they read
 *    the attributes alone or key just the records they need (a subset keyed on the fly).
 *
 * Units and sessions are keyed by sipHash64: two of them sharing a key (odds about 1e-9 for a
 * million sessions) would merge, which the exactness of the counts can afford.
 */

const UNIT_HASH = raw(`if(session != '', sipHash64('s', site, session), sipHash64('v', site, visitor))`);

/** Record columns of the range tables: all that queries read (props JSON only event lists do). */
const RANGE_COLUMNS = ['site', 'ts', ...CARRIED.filter((c) => c !== 'props')];

/** Columns of the range's session table. */
export const KEYED_ROW_COLUMNS = [...RANGE_COLUMNS, 'kord', 'sess'];

/** The s_* columns `withAttributes` adds. */
export const ATTRIBUTE_COLUMNS = [
  's_first_ts',
  's_last_ts',
  's_pageviews',
  's_interactions',
  's_entry',
  's_exit',
  's_source',
  's_channel',
  's_referrer',
  's_utm_source',
  's_utm_medium',
  's_utm_campaign',
];

/**
 * (unit, starts): the sorted start times of each unit's sessions in the scope; with `only` (a
 * SELECT of unit hashes), of those units alone.
 */
export function unitStarts(scope: RangeScope, only: SqlFragment | null = null): SqlFragment {
  const restrict = only ? sql` AND unit GLOBAL IN (${only})` : raw('');
  // The `if` stays outside the GROUP BY level: 18.16 loses columns used only inside lambdas there.
  return sql`SELECT unit, if(explicit, [tss[1]],
      arrayFilter((t, d, i) -> i = 1 OR d > ${SESSION_GAP_MS}, tss, arrayDifference(tss), arrayEnumerate(tss))) AS starts
    FROM (
      SELECT unit, any(explicit) AS explicit, arraySort(groupArray(ts)) AS tss
      FROM (SELECT ts, session != '' AS explicit, ${UNIT_HASH} AS unit FROM ${scope.table} WHERE ${scopeWhere(scope)}${restrict})
      GROUP BY unit
    )`;
}

/**
 * The scope's records (`columns`, those matching `rows`) with their session key, sessionized in
 * the statement itself rather than from the range's Memory tables, and only for the units that
 * hold a record matching `units` ('1': every unit). A query about a few units (one user's
 * figures, the sessions of a filtered funnel) then reads those units' rows alone, and one that
 * needs no session attribute skips the attribute and wide tables. Funnels use it: they key only
 * their step records, which the join passes on cheaper than compactSessions' arrays carry every
 * record (measured at 30 days: 2.6–3.8 s against 3.2–4.9 s on a machine at load 16–20).
 */
export function sessionizedRows(
  scope: RangeScope,
  columns: readonly string[],
  units: SqlFragment,
  rows?: SqlFragment,
): SqlFragment {
  const only =
    units.text === '1'
      ? null
      : sql`SELECT DISTINCT ${UNIT_HASH} FROM ${scope.table} WHERE ${scopeWhere(scope)} AND (${units})`;
  const restrict = only ? sql`${UNIT_HASH} GLOBAL IN (${only})` : raw('1');
  return keyedRows(scope, sql`(${unitStarts(scope, only)})`, columns, rows ?? restrict);
}

/**
 * A condition on the events table: the record belongs to a unit holding a record of the scope
 * that matches `holding`.
 */
export function ofUnitsHolding(scope: RangeScope, holding: SqlFragment): SqlFragment {
  return sql`${UNIT_HASH} GLOBAL IN (SELECT ${UNIT_HASH} FROM ${scope.table} WHERE ${scopeWhere(scope)} AND (${holding}))`;
}

/**
 * One row per record of the units that hold a record matching `units` ('1': every unit) with
 * its session key `sess`, its `ts` and the named expressions of `fields`, in one pass over the
 * scope: per unit, (ts, kind order, fields) tuples sorted into one array, a session number per
 * element where the gap exceeds 30 minutes (never for explicit sessions), and ARRAY JOIN back to
 * rows. That replaces the range's Memory tables when a query needs a few fields of every record
 * and no session attribute (journeys, session figures by record groups): the range is read once
 * (plus once for `units`), and a query about a few units (one user) sorts their records alone.
 * Measured at 30 days on 1M events, alternating with the keyed-rows join on a machine at load
 * 16–21: users 1.9–3.6 s against 2.4–5.4 s, user/{id} 1.2–3.5 s against 1.9–3.9 s.
 */
export function compactSessions(
  scope: RangeScope,
  fields: Record<string, SqlFragment>,
  units: SqlFragment,
): SqlFragment {
  const names = Object.keys(fields);
  const only = units.text === '1' ? raw('') : sql` AND ${ofUnitsHolding(scope, units)}`;
  const inner = names.map((n) => `${fields[n]!.text} AS ${n}`).join(', ');
  const unpack = names.map((n, i) => `tupleElement(row, ${i + 3}) AS ${n}`).join(', ');
  // Three levels, and `explicit` read outside the lambdas: 18.16 drops a column that only a
  // lambda reads.
  return sql`SELECT sipHash64(unit, num) AS sess, tupleElement(row, 1) AS ts, tupleElement(row, 2) AS kord, ${raw(unpack)}
    FROM (
      SELECT unit, rows,
        arrayCumSum(arrayMap((d, i) -> toUInt32(i = 1 OR d > ${SESSION_GAP_MS}), if(explicit,
          arrayResize([toInt64(0)], length(rows)), arrayDifference(arrayMap(r -> tupleElement(r, 1), rows))),
          arrayEnumerate(rows))) AS nums
      FROM (
        SELECT unit, any(explicit) AS explicit, arraySort(groupArray(tuple(ts, kord, ${raw(names.join(', '))}))) AS rows
        FROM (
          SELECT ts, ${KIND_ORDER} AS kord, session != '' AS explicit, ${UNIT_HASH} AS unit, ${raw(inner)}
          FROM ${scope.table} WHERE ${scopeWhere(scope)}${only}
        )
        GROUP BY unit
      )
    )
    ARRAY JOIN rows AS row, nums AS num`;
}

/**
 * The scope's records (`columns` of them, only those matching `where`) with their session key,
 * given the table of `unitStarts`. Units are sessionized from all their records, so keying a
 * subset (say page views only) gives each record the same key as keying everything.
 */
export function keyedRows(
  scope: RangeScope,
  units: SqlFragment,
  columns: readonly string[] = RANGE_COLUMNS,
  where: SqlFragment = raw('1'),
): SqlFragment {
  // ts is always selected, and read by the WHERE: 18.16 drops a column that only a lambda (the
  // arrayCount) reads when the outer query does not ask for it. kind makes the kind order.
  const list = [...new Set(['ts', 'kind', ...columns])].join(', ');
  return sql`SELECT ${raw(list)}, ${KIND_ORDER} AS kord,
      sipHash64(unit, starts[arrayCount(s -> s <= ts, starts)]) AS sess
    FROM (SELECT ${raw(list)}, ${UNIT_HASH} AS unit FROM ${scope.table} WHERE ${scopeWhere(scope)} AND (${where}))
    ANY LEFT JOIN ${units} USING (unit)
    WHERE ts >= ${scope.from}`;
}

/** Columns `sessionAttributes` reads. */
export const ATTRIBUTE_SOURCES = [
  'kind',
  'visitor',
  'path',
  'source',
  'channel',
  'referrer',
  'utm_source',
  'utm_medium',
  'utm_campaign',
];

/** The record columns each attribute of `sessionAttributes` reads (ts and kord always). */
const ATTRIBUTE_READS: Record<string, readonly string[]> = {
  s_first_ts: [],
  s_last_ts: [],
  s_pageviews: ['kind'],
  s_pv_visitors: ['kind', 'visitor'],
  s_interactions: ['kind'],
  s_entry: ['kind', 'path'],
  s_exit: ['kind', 'path'],
  s_source: ['kind', 'source'],
  s_channel: ['kind', 'channel'],
  s_referrer: ['kind', 'referrer'],
  s_utm_source: ['kind', 'utm_source'],
  s_utm_medium: ['kind', 'utm_medium'],
  s_utm_campaign: ['kind', 'utm_campaign'],
};

/**
 * Per-session figures and attributes (see "Session attributes" in shared/api.ts), all of them or
 * only `only` (s_* names). The order key is one Int64, ts * 4 + kind order: argMin over a
 * (ts, kind) tuple took seconds. `s_pv_visitors` (hashes of the visitors of its page views: one,
 * except for an explicit session seen with and without a user id) lets unfiltered top lists read
 * this table alone.
 */
export function sessionAttributes(rows: SqlFragment, only?: readonly string[]): SqlFragment {
  const order = 'ts * 4 + kord';
  const first = (col: string) => `argMinIf(${col}, ${order}, kind = 'pageview') AS s_${col}`;
  const all: Record<string, string> = {
    s_first_ts: 'min(ts) AS s_first_ts',
    s_last_ts: 'max(ts) AS s_last_ts',
    s_pageviews: "countIf(kind = 'pageview') AS s_pageviews",
    s_pv_visitors: "groupUniqArrayIf(sipHash64(visitor), kind = 'pageview') AS s_pv_visitors",
    s_interactions: "countIf(kind = 'action' OR kind = 'share') AS s_interactions",
    s_entry: `argMinIf(path, ${order}, kind = 'pageview') AS s_entry`,
    s_exit: `argMaxIf(path, ${order}, kind = 'pageview') AS s_exit`,
    ...Object.fromEntries(
      ['source', 'channel', 'referrer', 'utm_source', 'utm_medium', 'utm_campaign'].map((c) => [
        `s_${c}`,
        first(c),
      ]),
    ),
  };
  const names = only ?? Object.keys(all);
  return sql`SELECT sess${raw(names.map((n) => `, ${all[n]!}`).join(''))}
  FROM (${rows})
  GROUP BY sess`;
}

/** The keyed rows joined with their session's attributes (columns listed: 18.16 repeats USING keys under `*`). */
export function withAttributes(
  rows: SqlFragment,
  attributes: SqlFragment,
  columns: readonly string[] = [...KEYED_ROW_COLUMNS, ...ATTRIBUTE_COLUMNS],
): SqlFragment {
  return sql`SELECT ${raw(columns.join(', '))} FROM (${rows}) ANY LEFT JOIN ${attributes} USING (sess)`;
}

/**
 * Only `columns` of the wide copy (`withAttributes`): the record columns among them keyed, joined
 * with just the s_* columns among them. `attributes` is the range's attributes table when it
 * exists; else the few attributes wanted are computed in the statement from the columns they
 * read, which skips the full attributes table (a third of a range's build) for a general query
 * that groups or filters by one session dimension.
 */
export function narrowWide(
  scope: RangeScope,
  units: SqlFragment,
  columns: readonly string[],
  attributes: SqlFragment | null,
): SqlFragment {
  const wanted = new Set(columns);
  const attrs = ATTRIBUTE_COLUMNS.filter((c) => wanted.has(c));
  const records = KEYED_ROW_COLUMNS.filter((c) => wanted.has(c) && c !== 'kord' && c !== 'sess');
  const keyed = keyedRows(scope, units, records);
  if (attrs.length === 0) return sql`SELECT ${raw([...records, 'kord', 'sess'].join(', '))} FROM (${keyed})`;
  const sources = [...new Set(attrs.flatMap((c) => ATTRIBUTE_READS[c]!))];
  const joined = attributes
    ? sql`(SELECT sess, ${raw(attrs.join(', '))} FROM ${attributes})`
    : sql`(${sessionAttributes(keyedRows(scope, units, sources), attrs)})`;
  return withAttributes(keyed, joined, [...records, 'kord', 'sess', ...attrs]);
}
