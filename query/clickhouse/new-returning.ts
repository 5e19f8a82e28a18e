import type { NormalizedQuery } from '../../shared/api.ts';
import { DAY_MS } from '../../shared/time.ts';
import type { ClickHouseConnection } from './connection.ts';
import { TABLES } from './ddl.ts';
import { ident, raw, sql, type SqlFragment } from './sql.ts';
import { dayOf, scopeWhere } from './prepared.ts';
import { rows } from './run.ts';

/**
 * New and returning identified users of an unfiltered range (see "New vs returning" in
 * shared/api.ts): a user is active when they have a record in [from, to), new when their first
 * record before `to` is in it too.
 *
 * Read from user_day (first and last record per site, day and user, kept by a materialized view,
 * ddl.ts), not from every record of history: a user's row of a day fully inside the range makes
 * them active; of the day holding `from`, when its last record is at or after `from`; of the day
 * holding `to`, when its first is before `to` (and only then does that day count for their first
 * record). A range inside one day cannot be decided from first and last, so it reads the records.
 */
export async function newVsReturning(
  conn: ClickHouseConnection,
  table: SqlFragment,
  q: Pick<NormalizedQuery, 'site' | 'from' | 'to'>,
): Promise<{ new_users: number; returning_users: number }> {
  const fromDay = Math.floor(q.from / DAY_MS);
  const toDay = Math.floor((q.to - 1) / DAY_MS);
  if (q.from < 0 || fromDay === toDay) return fromRecords(conn, table, q);
  const site = q.site === null ? raw('1') : sql`site = ${q.site}`;
  const day = (d: number) => sql`toDate(${dayOf(d * 86_400)})`;
  const [row] = await rows<{ new_users: number; returning_users: number }>(
    conn,
    sql`SELECT countIf(first >= ${q.from}) AS new_users, countIf(first < ${q.from}) AS returning_users FROM (
      SELECT user, min(f) AS first, max(active) AS active FROM (
        SELECT user, day, f, multiIf(day > ${day(fromDay)} AND day < ${day(toDay)}, 1,
          day = ${day(fromDay)}, l >= ${q.from}, day = ${day(toDay)}, f < ${q.to}, 0) AS active
        FROM (
          SELECT user, day, minMerge(first) AS f, maxMerge(last) AS l
          FROM ${ident(conn.database)}.${ident(TABLES.userDay)}
          WHERE ${site} AND day <= ${day(toDay)} GROUP BY user, day
        )
        WHERE day < ${day(toDay)} OR f < ${q.to}
      ) GROUP BY user
    ) WHERE active = 1`,
  );
  return { new_users: Number(row?.new_users ?? 0), returning_users: Number(row?.returning_users ?? 0) };
}

/** The same from the records: one GROUP BY user over the site's history up to `to`. */
async function fromRecords(
  conn: ClickHouseConnection,
  table: SqlFragment,
  q: Pick<NormalizedQuery, 'site' | 'from' | 'to'>,
): Promise<{ new_users: number; returning_users: number }> {
  const history = scopeWhere({ table, site: q.site, from: 0, to: q.to });
  const [row] = await rows<{ new_users: number; returning_users: number }>(
    conn,
    sql`SELECT countIf(first >= ${q.from}) AS new_users, countIf(first < ${q.from}) AS returning_users
    FROM (SELECT user, min(ts) AS first, max(ts) AS last FROM ${table} WHERE ${history} AND user != '' GROUP BY user)
    WHERE last >= ${q.from}`,
  );
  return { new_users: Number(row?.new_users ?? 0), returning_users: Number(row?.returning_users ?? 0) };
}
