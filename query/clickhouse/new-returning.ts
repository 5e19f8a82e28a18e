import type { NormalizedQuery } from '../../shared/api.ts';
import type { ClickHouseConnection } from './connection.ts';
import { sql, type SqlFragment } from './sql.ts';
import { scopeWhere } from './prepared.ts';
import { rows } from './run.ts';

/**
 * New and returning identified users of an unfiltered range (see "New vs returning" in
 * shared/api.ts) in one GROUP BY user over the site's history up to `to`: a user is
 * active when their last record is in the range, new when their first one is too. The generic
 * path in compose/new-returning.ts asks two grouped queries for the same answer.
 */
export async function newVsReturning(
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
