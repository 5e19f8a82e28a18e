import type { JourneysResponse } from '../../shared/api.ts';
import type { JourneysQuery } from '../backend.ts';
import type { ClickHouseConnection } from './connection.ts';
import { raw, sql, type SqlFragment } from './sql.ts';
import { filtersExpr } from './expressions.ts';
import type { SessionTables } from './session-tables.ts';
import { rows } from './run.ts';

/**
 * Page transitions and 3-page paths (see "Journeys" in shared/api.ts): per session the
 * pageview paths in time order with immediate repeats removed, then consecutive pairs/triples
 * ARRAY JOINed and counted. Ties in count are ordered by the paths, as the in-memory engine does.
 */
export async function journeys(
  conn: ClickHouseConnection,
  table: SqlFragment,
  sessions: SessionTables,
  q: JourneysQuery,
): Promise<JourneysResponse> {
  const source = await sessions.get(q);
  // Filters keep the sessions with a matching record (see JourneysQuery).
  const kept =
    q.filters.length === 0
      ? raw('1')
      : sql`sess IN (SELECT sess FROM (${source}) WHERE ${filtersExpr(q.filters, { ...q, table })})`;
  const sequences = sql`SELECT arrayFilter((p, i) -> i = 1 OR p != raw_paths[i - 1], raw_paths, arrayEnumerate(raw_paths)) AS paths
    FROM (
      SELECT arrayMap(r -> tupleElement(r, 3), arraySort(r -> (tupleElement(r, 1), tupleElement(r, 2)), groupArray((ts, kord, path)))) AS raw_paths
      FROM (${source})
      WHERE kind = 'pageview' AND ${kept}
      GROUP BY sess
    )`;
  const [pairs, triples] = await Promise.all([
    rows<{ a: string; b: string; count: number }>(
      conn,
      sql`SELECT tupleElement(pair, 1) AS a, tupleElement(pair, 2) AS b, count() AS count FROM (${sequences})
        ARRAY JOIN arrayMap(i -> (paths[i], paths[i + 1]), arrayEnumerate(arrayPopBack(paths))) AS pair
        GROUP BY a, b ORDER BY count DESC, a, b LIMIT ${q.limit}`,
    ),
    rows<{ a: string; b: string; c: string; count: number }>(
      conn,
      sql`SELECT tupleElement(t, 1) AS a, tupleElement(t, 2) AS b, tupleElement(t, 3) AS c, count() AS count FROM (${sequences})
        ARRAY JOIN arrayMap(i -> (paths[i], paths[i + 1], paths[i + 2]), arrayEnumerate(arrayPopBack(arrayPopBack(paths)))) AS t
        GROUP BY a, b, c ORDER BY count DESC, a, b, c LIMIT ${q.limit}`,
    ),
  ]);
  return {
    transitions: pairs.map((p) => ({ from: p.a, to: p.b, count: Number(p.count) })),
    paths: triples.map((t) => ({
      path: [t.a, t.b, t.c] as [string, string, string],
      count: Number(t.count),
    })),
  };
}
