import { DAY_MS } from '../../shared/time.ts';
import type { ClickHouseConnection } from './connection.ts';
import { TABLES } from './ddl.ts';
import { dayOf } from './prepared.ts';
import { blockBuilds, cover } from './rollup-blocks.ts';
import { ident, quote, raw, sql, type SqlFragment } from './sql.ts';
import { rows } from './run.ts';

/**
 * Which days of a range can be read from rollups. A day's fingerprint is its local partition's
 * row count and highest insert block in system.parts (ddl.ts partitions by (day, local)): an
 * insert raises the block, an erasure or purge lowers the rows, a merge changes neither. A build
 * is recorded with the fingerprint it was made from, so a late insert, a spool replay, an import,
 * an erasure or a purge turns its day raw until the builder has built it again.
 *
 * On a cluster each node holds its own partitions, builds and rollups in its local database, so
 * fingerprints and builds are read per node (splitRange).
 */

export interface Fingerprint {
  rows: number;
  block: number;
}

/** Days since 1970-01-01 → the fingerprint of that day's local rows (days without any are absent). */
export async function fingerprints(
  conn: ClickHouseConnection,
  firstDay: number,
  endDay: number,
): Promise<Map<number, Fingerprint>> {
  const found = await rows<{ id: string; rows: number; block: number }>(
    conn,
    sql`SELECT partition_id AS id, sum(rows) AS rows, max(max_block_number) AS block FROM system.parts
      WHERE database = ${conn.database} AND table = ${TABLES.events} AND active AND endsWith(partition_id, '-1')
        AND partition_id >= ${partitionId(firstDay)} AND partition_id < ${partitionId(endDay)}
      GROUP BY partition_id`,
  );
  const out = new Map<number, Fingerprint>();
  for (const r of found) {
    const day = Date.UTC(Number(r.id.slice(0, 4)), Number(r.id.slice(4, 6)) - 1, Number(r.id.slice(6, 8)));
    out.set(day / DAY_MS, { rows: Number(r.rows), block: Number(r.block) });
  }
  return out;
}

/** The partition id of a day's local rows: YYYYMMDD-1. */
function partitionId(day: number): string {
  return `${dayOf(day * 86_400).replaceAll('-', '')}-1`;
}

export interface BuildRow {
  day: number;
  build: number;
  fp_rows: number;
  fp_block: number;
  built_at: number;
}

/** The recorded builds of `config` for days in [firstDay, endDay). */
export async function builds(
  conn: ClickHouseConnection,
  config: string,
  firstDay: number,
  endDay: number,
): Promise<BuildRow[]> {
  const found = await rows<Omit<BuildRow, 'day'> & { dn: number }>(
    conn,
    sql`SELECT toUInt32(day) AS dn, build, fp_rows, fp_block, toUInt32(built_at) AS built_at
      FROM ${buildsTable(conn)}
      WHERE config = ${config} AND day >= toDate(${dayOf(firstDay * 86_400)}) AND day < toDate(${dayOf(endDay * 86_400)})`,
  );
  return found.map((b) => ({
    day: Number(b.dn),
    build: Number(b.build),
    fp_rows: Number(b.fp_rows),
    fp_block: Number(b.fp_block),
    built_at: Number(b.built_at),
  }));
}

/** The build readers use for a day: the newest one made from its current data, if any. */
export function currentBuild(fp: Fingerprint, candidates: readonly BuildRow[]): BuildRow | null {
  let best: BuildRow | null = null;
  for (const b of candidates) {
    if (b.fp_rows !== fp.rows || b.fp_block !== fp.block) continue;
    if (!best || b.built_at > best.built_at || (b.built_at === best.built_at && b.build > best.build))
      best = b;
  }
  return best;
}

/**
 * Each day of [firstDay, endDay) with local rows → its current build of `config` on this
 * connection's node (null: none made from its current data).
 */
export async function currentBuilds(
  conn: ClickHouseConnection,
  config: string,
  firstDay: number,
  endDay: number,
): Promise<Map<number, BuildRow | null>> {
  const [fps, made] = await Promise.all([
    fingerprints(conn, firstDay, endDay),
    builds(conn, config, firstDay, endDay),
  ]);
  const byDay = new Map<number, BuildRow[]>();
  for (const b of made) (byDay.get(b.day) ?? byDay.set(b.day, []).get(b.day)!).push(b);
  const current = new Map<number, BuildRow | null>();
  for (const [day, fp] of fps) current.set(day, currentBuild(fp, byDay.get(day) ?? []));
  return current;
}

/** How a range splits: the whole days read from rollups, and the rows read raw. */
export interface DaySplit {
  firstDay: number;
  endDay: number;
  /**
   * [day, build] of each day build and [start, build] of each multi-day block read (one per node
   * holding rows of it): rollup_day's rows of these pairs cover `days`
   */
  rolled: [number, number][];
  /** the whole days with local rows read from rollups (directly or through a block) */
  days: number[];
  /** how many multi-day blocks `rolled` holds (rollup-blocks.ts) */
  blocks: number;
  /** days with local rows but no current build: read raw */
  stale: number[];
  /** the rows not covered by `rolled` (for RangeScope.rest) */
  rest: SqlFragment;
}

/**
 * The split of [from, to), or null when it holds no whole day with a current build. On a cluster
 * the fingerprints and builds are read on every node (each builds from its own partitions), and a
 * day is rolled only when every node holding local rows of it has a current build: `rolled` then
 * holds each such node's (day, build), read through the Distributed rollup table.
 */
export async function splitRange(
  conn: ClickHouseConnection,
  config: string,
  from: number,
  to: number,
): Promise<DaySplit | null> {
  const firstDay = Math.ceil(from / DAY_MS);
  const endDay = Math.floor(to / DAY_MS);
  if (endDay <= firstDay) return null;
  const perNode = await Promise.all(
    (conn.cluster?.nodes ?? [conn]).map(async (node) => {
      const [current, blocks] = await Promise.all([
        currentBuilds(node, config, firstDay, endDay),
        blockBuilds(node, config, firstDay, endDay),
      ]);
      return { current, blocks };
    }),
  );
  const currents = perNode.map((n) => n.current);
  const { rolled, stale } = rolledDays(currents);
  const covered = cover(
    firstDay,
    endDay,
    currents,
    perNode.map((n) => n.blocks),
    rolled,
  );
  if (covered.pairs.length === 0) return null;
  return {
    firstDay,
    endDay,
    rolled: covered.pairs,
    days: covered.days,
    blocks: covered.blocks,
    stale,
    rest: restOf(firstDay, endDay, stale),
  };
}

/**
 * Given each node's days with local rows and their current build (null: none), the days read
 * from rollups, with every node's build of them, and the stale days: a day is stale when any
 * node holding rows of it has no current build, since its raw read then covers every node.
 */
export function rolledDays(perNode: readonly ReadonlyMap<number, BuildRow | null>[]): {
  rolled: [number, number][];
  stale: number[];
} {
  const days = [...new Set(perNode.flatMap((current) => [...current.keys()]))].sort((a, b) => a - b);
  const rolled: [number, number][] = [];
  const stale: number[] = [];
  for (const day of days) {
    const found = perNode.map((current) => current.get(day)).filter((b) => b !== undefined);
    if (found.every((b) => b !== null)) for (const b of found) rolled.push([day, b.build]);
    else stale.push(day);
  }
  return { rolled, stale };
}

/**
 * The rows a split leaves raw: every non-local row, the ragged ends, and the stale days. Bounds on
 * `time` as literals: 18.16 prunes partitions by such an OR (48k rows read at 30 days instead of
 * all 1M), but not when its terms are on toDate(time), nor by an IN subquery.
 */
export function restOf(firstDay: number, endDay: number, stale: readonly number[]): SqlFragment {
  const at = (d: number) => `toDateTime(${d * 86_400})`;
  const parts = ['local = 0', `time < ${at(firstDay)}`, `time >= ${at(endDay)}`];
  for (const d of stale) parts.push(`(time >= ${at(d)} AND time < ${at(d + 1)})`);
  return raw(parts.join(' OR '));
}

/** The WHERE selecting a split's rollup rows of one site ('' = all sites) and shape (or shapes). */
export function rolledWhere(
  split: DaySplit,
  site: string | null,
  shape: string | readonly string[],
): SqlFragment {
  const pairs = split.rolled.map(([day, build]) => `(${day}, ${build})`).join(', ');
  // IN over literals, which the sort key (shape, site, day) prunes by; has() would read every
  // shape, and a day range every day's rows where a block stands for most of them.
  const shapes = raw(`shape IN (${(typeof shape === 'string' ? [shape] : shape).map(quote).join(', ')})`);
  const days = [...new Set(split.rolled.map(([day]) => day))].map((day) => quote(dayOf(day * 86_400)));
  return sql`${shapes} AND site = ${site ?? ''} AND day IN (${raw(days.join(', '))})
    AND (toUInt32(day), build) IN (${raw(pairs)})`;
}

export function rollupsTable(conn: ClickHouseConnection): SqlFragment {
  return sql`${ident(conn.database)}.${ident(TABLES.rollups)}`;
}

export function buildsTable(conn: ClickHouseConnection): SqlFragment {
  return sql`${ident(conn.database)}.${ident(TABLES.builds)}`;
}
