import type { JourneysResponse } from '../../shared/api.ts';
import type { JourneysQuery } from '../backend.ts';
import type { ClickHouseConnection } from './connection.ts';
import { raw, sql, type SqlFragment } from './sql.ts';
import { filtersExpr, filtersUseSessions } from './expressions.ts';
import { compactSessions } from './session-build.ts';
import type { SessionTables } from './session-tables.ts';
import { rows } from './run.ts';

/** A session's page-view paths in (ts, kind) order, from rows that are all page views or not. */
const PATHS = raw(
  'arrayMap(r -> tupleElement(r, 3), arraySort(r -> (tupleElement(r, 1), tupleElement(r, 2)), groupArray((ts, kord, path)))) AS raw_paths',
);
const PATHS_OF_PAGEVIEWS = raw(
  "arrayMap(r -> tupleElement(r, 3), arraySort(r -> (tupleElement(r, 1), tupleElement(r, 2)), groupArrayIf((ts, kord, p), k = 'pageview'))) AS raw_paths",
);

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
  const scope = { ...q, table };
  const where = filtersExpr(q.filters, scope);
  // Filters keep the sessions with a matching record (see JourneysQuery). Without session
  // filters the sessions are cut in the statement itself, from the units concerned only.
  let sessionPaths: SqlFragment;
  if (filtersUseSessions(q.filters)) {
    const source = await sessions.get(q);
    sessionPaths = sql`SELECT ${PATHS} FROM (${source})
      WHERE kind = 'pageview' AND sess IN (SELECT sess FROM (${source}) WHERE ${where})
      GROUP BY sess`;
  } else {
    const fields = { k: raw('toString(kind)'), p: raw('path'), m: where };
    const kept = q.filters.length ? sql`HAVING countIf(m) > 0` : raw('');
    sessionPaths = sql`SELECT ${PATHS_OF_PAGEVIEWS} FROM (${compactSessions(scope, fields, where)}) GROUP BY sess ${kept}`;
  }
  const sequences = sql`SELECT arrayFilter((p, i) -> i = 1 OR p != raw_paths[i - 1], raw_paths, arrayEnumerate(raw_paths)) AS paths
    FROM (${sessionPaths})`;
  // Pairs and triples in one statement, so the range is sessionized once: each is a path array,
  // ranked within its length (arrays order element by element, like ORDER BY a, b, c).
  const found = await rows<{ seq: string[]; count: number }>(
    conn,
    sql`SELECT seq, count() AS count FROM (${sequences})
      ARRAY JOIN arrayConcat(
        arrayMap(i -> [paths[i], paths[i + 1]], arrayEnumerate(arrayPopBack(paths))),
        arrayMap(i -> [paths[i], paths[i + 1], paths[i + 2]], arrayEnumerate(arrayPopBack(arrayPopBack(paths))))
      ) AS seq
      GROUP BY seq ORDER BY length(seq), count DESC, seq LIMIT ${q.limit} BY length(seq)`,
  );
  const pairs = found.filter((r) => r.seq.length === 2);
  const triples = found.filter((r) => r.seq.length === 3);
  return {
    transitions: pairs.map((p) => ({ from: p.seq[0]!, to: p.seq[1]!, count: Number(p.count) })),
    paths: triples.map((t) => ({
      path: t.seq as [string, string, string],
      count: Number(t.count),
    })),
  };
}
