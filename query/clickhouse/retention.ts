import { retentionResponse } from '../report-shape.ts';
import { DAY_MS, bucketStart } from '../../shared/time.ts';
import type { RetentionResponse } from '../../shared/api.ts';
import type { RetentionQuery } from '../backend.ts';
import type { ClickHouseConnection } from './connection.ts';
import { raw, sql, type SqlFragment } from './sql.ts';
import { filtersExpr, filtersUseSessions } from './expressions.ts';
import { plainRows } from './prepared.ts';
import type { SessionTables } from './session-tables.ts';
import { rows } from './run.ts';

const WEEK_MS = 7 * DAY_MS;

/** Weekly cohorts of identified users (see "Retention" in shared/api.ts), in one GROUP BY. */
export async function retention(
  conn: ClickHouseConnection,
  table: SqlFragment,
  sessions: SessionTables,
  q: RetentionQuery,
): Promise<RetentionResponse> {
  const site = q.site === null ? sql`1` : sql`site = ${q.site}`;
  // Filters keep the users with a matching record in the range (see RetentionQuery).
  let kept = raw('1');
  if (q.filters.length > 0) {
    const scope = { table, site: q.site, from: q.from, to: q.to };
    const source = filtersUseSessions(q.filters) ? await sessions.get(scope) : plainRows(scope);
    // GLOBAL: a user's records are on several shards of a cluster.
    kept = sql`user GLOBAL IN (SELECT user FROM (${source}) WHERE user != '' AND ${filtersExpr(q.filters, scope)})`;
  }
  // Week start as a day number: 1970-01-01 was a Thursday, so (day + 3) % 7 is days since Monday.
  const cells = await rows<{ week: number; w: number; users: number }>(
    conn,
    sql`SELECT first_week AS week, intDiv(active_week - first_week, 7) AS w, count() AS users FROM (
      SELECT user, min(wk) AS first_week, groupUniqArray(wk) AS weeks FROM (
        SELECT user, intDiv(ts, 86400000) - (intDiv(ts, 86400000) + 3) % 7 AS wk
        FROM ${table} WHERE ${site} AND user != '' AND ${kept}
      ) GROUP BY user
    ) ARRAY JOIN weeks AS active_week
    WHERE first_week * 86400000 >= ${q.from} AND first_week * 86400000 < ${q.to}
    GROUP BY week, w`,
  );
  const currentWeek = bucketStart(q.now, 'week');
  const cohorts = new Map<number, number[]>();
  for (const cell of cells) {
    const week = Number(cell.week) * DAY_MS;
    let returning = cohorts.get(week);
    if (!returning) {
      returning = new Array<number>(Math.round((currentWeek - week) / WEEK_MS) + 1).fill(0);
      cohorts.set(week, returning);
    }
    const w = Number(cell.w);
    if (w < returning.length) returning[w] = Number(cell.users);
  }
  return retentionResponse(cohorts);
}
