import type { RecordKind } from '../../storage/schema.ts';
import type { BackendEvent, EventsRequest } from '../backend.ts';
import type { ClickHouseConnection } from './connection.ts';
import { raw, sql, type SqlFragment } from './sql.ts';
import { filtersExpr, filtersUseSessions } from './expressions.ts';
import type { SessionTables } from './session-tables.ts';
import { CARRIED, dayOf, plainRows, scopeWhere, type RangeScope } from './prepared.ts';
import { ATTRIBUTE_COLUMNS, keyedRows, sessionizedRows } from './session-build.ts';
import { rows } from './run.ts';

/** Every record column, props included (the range's session table leaves props out). */
const WITH_PROPS = ['site', 'ts', ...CARRIED];

/** A row as ClickHouse sends it: the event's fields, with props as JSON text and the session as `sess`. */
type EventRowOut = Omit<BackendEvent, 'time' | 'session' | 'props'> & { sess: string; props: string };

/**
 * Matching records in time order with their session key. Sessions are computed only for the
 * units (visitor or explicit session) that hold a matching record, so a user's timeline does not
 * sessionize the whole site. The key is an opaque hash, never the visitor hash itself.
 */
export async function events(
  conn: ClickHouseConnection,
  table: SqlFragment,
  sessions: SessionTables,
  q: EventsRequest,
): Promise<BackendEvent[]> {
  const scope: RangeScope = { table, site: q.site, from: q.from, to: q.to };
  const where = filtersExpr(q.filters, scope);
  const skip = q.skipEngagement ? raw(`kind != 'engagement'`) : raw('1');
  // Filters on session attributes (realtime under a source filter) read the range's sessions.
  // Without sessions (a sample of props), the records alone. Otherwise only the records that can
  // be returned are keyed, from the session starts of their units alone (narrow ts arrays),
  // rather than carrying every column of every record of those units through arrays: a user's
  // 90 days took 181 MiB that way.
  const source = filtersUseSessions(q.filters)
    ? await sessions.keys(scope).then(
        (keys) => sql`SELECT ${raw([...WITH_PROPS, 'kord', 'sess', ...ATTRIBUTE_COLUMNS].join(', '))}
            FROM (${keyedRows(scope, keys.units, WITH_PROPS)}) ANY LEFT JOIN ${keys.attributes} USING (sess)`,
      )
    : q.withoutSessions
      ? plainRows(scope, sql`${skip} AND (${where})`)
      : await edge(conn, table, sql`${scopeWhere(scope)} AND ${skip} AND (${where})`, q).then((near) => {
          const returnable = sql`${skip} AND (${where})${near}`;
          return sessionizedRows(scope, WITH_PROPS, returnable, returnable);
        });
  const direction = raw(q.order === 'asc' ? 'ASC' : 'DESC');
  const found = await rows<EventRowOut>(
    conn,
    sql`SELECT ts, ${raw(q.withoutSessions ? "''" : 'hex(sipHash64(sess))')} AS sess, kind, site, path, name, user, props, source, country, device, browser,
        engaged_ms, scroll, recipients
      FROM (${source})
      WHERE ${skip} AND (${where})
      ORDER BY ts ${direction}, kord ${direction}
      LIMIT ${q.limit}`,
  );
  return found.map((r) => ({
    ts: Number(r.ts),
    time: new Date(Number(r.ts)).toISOString(),
    session: r.sess,
    kind: r.kind,
    site: r.site,
    path: r.path,
    name: r.name,
    user: r.user,
    props: r.props ? (JSON.parse(r.props) as BackendEvent['props']) : {},
    source: r.source,
    country: r.country,
    device: r.device,
    browser: r.browser,
    engaged_ms: Number(r.engaged_ms),
    scroll: Number(r.scroll),
    recipients: Number(r.recipients),
  }));
}

/**
 * ` AND ts >= t` (newest first; `<=` oldest first) with t the ts of the `limit`-th matching record,
 * or nothing when fewer match: only the records that can be returned, and their units, are then
 * keyed. Ties at t are kept, so the answer is the same. The sample of the 500 newest actions
 * `properties` reads sessionized every unit with such an action in the range without it.
 */
async function edge(
  conn: ClickHouseConnection,
  table: SqlFragment,
  matching: SqlFragment,
  q: EventsRequest,
): Promise<SqlFragment> {
  const desc = q.order !== 'asc';
  const [found] = await rows<{ t: string; n: string }>(
    conn,
    sql`SELECT ${raw(desc ? 'min' : 'max')}(ts) AS t, count() AS n FROM (
      SELECT ts FROM ${table} WHERE ${matching} ORDER BY ts ${raw(desc ? 'DESC' : 'ASC')} LIMIT ${q.limit})`,
  );
  if (!found || Number(found.n) < q.limit) return raw('');
  const t = Number(found.t);
  const cmp = raw(desc ? '>=' : '<=');
  // The same bound on time and day as well: 18.16 prunes parts and granules only on those.
  const second = Math.floor(t / 1000);
  return sql` AND ts ${cmp} ${t} AND time ${cmp} toDateTime(${second}) AND toDate(time) ${cmp} toDate(${dayOf(second)})`;
}

/** Numeric prop keys per event name over the range, for the `actions` sums. */
export async function numericPropKeys(
  conn: ClickHouseConnection,
  table: SqlFragment,
  q: { site: string | null; from: number; to: number; kind: RecordKind; names?: readonly string[] },
  rest?: SqlFragment,
): Promise<Record<string, string[]>> {
  if (q.names?.length === 0) return {};
  const names = q.names ? sql`AND has(${[...q.names]}, toString(name))` : raw('');
  const found = await rows<{ name: string; keys: string[] }>(
    conn,
    sql`SELECT toString(name) AS name, arraySort(groupUniqArray(key)) AS keys
      FROM ${table} ARRAY JOIN prop_keys AS key, prop_numeric AS numeric
      WHERE ${scopeWhere({ table, site: q.site, from: q.from, to: q.to, rest })} AND kind = ${q.kind} AND numeric = 1 ${names}
      GROUP BY name`,
  );
  const out: Record<string, string[]> = {};
  for (const r of found) out[r.name] = r.keys;
  return out;
}
