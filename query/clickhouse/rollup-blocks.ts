import type { ClickHouseConnection } from './connection.ts';
import { TABLES } from './ddl.ts';
import { dayOf } from './prepared.ts';
import type { BuildRow } from './rollup-days.ts';
import { ident, sql, type SqlFragment } from './sql.ts';
import { rows } from './run.ts';

/**
 * Multi-day blocks over the day builds, so a long range reads a dozen blocks' rows instead of
 * every day's (as query/memory/rollup.ts does in memory): aligned blocks of 2, 4 … 64 days, each
 * the sum of its days' current builds. The figures of day-local rows add up over days, so a
 * block's rows are its days' rows summed by (site, shape, part, d, pk); each group then holds one
 * row instead of one per day (a page seen on 60 days: one row, not 60).
 *
 * A block records which day builds it adds up (`members`), and readers use it only while exactly
 * those are the current builds of its days: a late insert, replay, import, erasure or purge that
 * turns one of its days raw turns the block unused too, until the builder has built the day and
 * then the block again.
 */

/** Blocks are at most 2^6 = 64 days long: a 90-day range is then covered by about a dozen. */
export const MAX_BLOCK_LEVEL = 6;

export interface BlockRow {
  start: number;
  span: number;
  build: number;
  members: string;
  built_at: number;
}

/** A day → its current build on one node (null: it has local rows but no current build). */
export type CurrentBuilds = ReadonlyMap<number, BuildRow | null>;

/**
 * The node's current day builds in [start, start + span) as "day:build,…", '' when no day of it
 * has local rows, null when one of them has no current build (the block cannot be read or made).
 */
export function membersOf(current: CurrentBuilds, start: number, span: number): string | null {
  const out: string[] = [];
  for (let day = start; day < start + span; day++) {
    const b = current.get(day);
    if (b === undefined) continue;
    if (b === null) return null;
    out.push(`${day}:${b.build}`);
  }
  return out.join(',');
}

/** The (day, build) pairs of a members string. */
export function memberPairs(members: string): [number, number][] {
  if (members === '') return [];
  return members.split(',').map((m) => {
    const [day, build] = m.split(':');
    return [Number(day), Number(build)];
  });
}

/** The block readers use: the newest made from the node's current day builds, if any. */
export function currentBlock(
  blocks: readonly BlockRow[],
  start: number,
  span: number,
  members: string,
): BlockRow | null {
  let best: BlockRow | null = null;
  for (const b of blocks) {
    if (b.start !== start || b.span !== span || b.members !== members) continue;
    if (!best || b.built_at > best.built_at || (b.built_at === best.built_at && b.build > best.build))
      best = b;
  }
  return best;
}

/** What a range's whole days are read from. */
export interface Cover {
  /** (day, build) of every day build and (start, build) of every block read, on every node */
  pairs: [number, number][];
  /** the whole days with local rows read from rollups, through a day or a block */
  days: number[];
  /** how many blocks are read (counted once, not per node) */
  blocks: number;
}

/**
 * The days and blocks that cover [firstDay, endDay): from each day, the longest aligned block
 * inside the range that every node can read (its members are the node's current builds, or it
 * has no rows there), else the day itself if it is rolled on every node (`rolled`: its pairs),
 * else nothing (the day is stale and read raw).
 */
export function cover(
  firstDay: number,
  endDay: number,
  perNode: readonly CurrentBuilds[],
  blocksPerNode: readonly (readonly BlockRow[])[],
  rolled: readonly [number, number][],
): Cover {
  const dayPairs = new Map<number, [number, number][]>();
  for (const p of rolled) (dayPairs.get(p[0]) ?? dayPairs.set(p[0], []).get(p[0])!).push(p);
  const out: Cover = { pairs: [], days: [], blocks: 0 };
  for (let day = firstDay; day < endDay;) {
    const block = readableBlock(day, endDay, perNode, blocksPerNode);
    if (block) {
      out.pairs.push(...block.pairs);
      out.days.push(...block.days);
      if (block.pairs.length > 0) out.blocks++;
      day += block.span;
      continue;
    }
    const pairs = dayPairs.get(day);
    if (pairs) {
      out.pairs.push(...pairs);
      out.days.push(day);
    }
    day++;
  }
  return out;
}

function readableBlock(
  day: number,
  endDay: number,
  perNode: readonly CurrentBuilds[],
  blocksPerNode: readonly (readonly BlockRow[])[],
): { span: number; pairs: [number, number][]; days: number[] } | null {
  for (let level = MAX_BLOCK_LEVEL; level >= 1; level--) {
    const span = 2 ** level;
    if (day % span !== 0 || day + span > endDay) continue;
    const pairs: [number, number][] = [];
    const days = new Set<number>();
    let readable = true;
    for (let node = 0; node < perNode.length && readable; node++) {
      const members = membersOf(perNode[node]!, day, span);
      if (members === null) readable = false;
      else if (members !== '') {
        const b = currentBlock(blocksPerNode[node] ?? [], day, span, members);
        if (!b) readable = false;
        else {
          pairs.push([day, b.build]);
          for (const [d] of memberPairs(members)) days.add(d);
        }
      }
    }
    if (readable) return { span, pairs, days: [...days].sort((a, b) => a - b) };
  }
  return null;
}

/** The blocks of `config` starting in [firstDay, endDay). */
export async function blockBuilds(
  conn: ClickHouseConnection,
  config: string,
  firstDay: number,
  endDay: number,
): Promise<BlockRow[]> {
  const found = await rows<{ sn: number; span: number; build: number; members: string; built_at: number }>(
    conn,
    sql`SELECT toUInt32(start) AS sn, span, build, members, toUInt32(built_at) AS built_at
      FROM ${blocksTable(conn)}
      WHERE config = ${config} AND start >= toDate(${dayOf(firstDay * 86_400)}) AND start < toDate(${dayOf(endDay * 86_400)})`,
  );
  return found.map((b) => ({
    start: Number(b.sn),
    span: Number(b.span),
    build: Number(b.build),
    members: b.members,
    built_at: Number(b.built_at),
  }));
}

export function blocksTable(conn: ClickHouseConnection): SqlFragment {
  return sql`${ident(conn.database)}.${ident(TABLES.blocks)}`;
}
