import type { RecordKind } from '../../storage/schema.ts';
import { DAY_MS } from '../../shared/time.ts';
import { funnelResponse } from '../report-shape.ts';
import type { Dimension, FunnelResponse, NormalizedQuery } from '../../shared/api.ts';
import type { NormalizedFunnel, QueryRows } from '../backend.ts';
import { accumulate, finishRows, propKeysOf } from './aggregate.ts';
import { numericPropKeys } from './events.ts';
import { funnelCounts } from './funnel.ts';
import type { MemoryIndex } from './index.ts';
import { mergePacked, pack, PACKED_WIDTH, unpack } from './packed.ts';
import type { Part } from './scope.ts';
import { topLists } from './top-lists.ts';

/*
 * Long ranges from cached partial results over whole UTC days, exactly.
 *
 * A range splits into the whole UTC days inside it and the ragged ends. Rows of day-local
 * visitors (nearly all: the visitor id changes with the daily salt) are summed over days: such a
 * visitor and its sessions live in one day, so distinct visitors, sessions, bounces, durations and
 * scroll maxima of different days simply add. The whole days are covered by aligned blocks of 1,
 * 2, 4 … 256 days whose results are cached and rebuilt (by one scan) only when one of their days
 * changes, so a 90-day range merges about a dozen results; the ragged ends are scanned. Aligned
 * blocks mostly survive midnight: only the few at the ends of a moving range are new. Only the
 * blocks queries use are kept, not their parts, which keeps the cache to a few MB. Rows of the other
 * visitors (server-side `u:` ids, explicit sessions) are scanned over the whole range from their
 * own short list, and add to the rest for the same reason. Distinct `users` do not add (an
 * identified user spans days), so queries asking for them are answered by one plain scan.
 */

/** How one kind of result is computed over a part of a range, and added up. */
interface Rollup<T> {
  /** a result over [from, to) in `part` */
  scan(from: number, to: number, part: Part): T;
  merge(results: T[]): T;
  /** about how many bytes the result holds, for the cache's budget */
  size(result: T): number;
  /**
   * false when the result does not count distinct visitors or sessions, so any split of the
   * rows adds up and the local / non-local split is not needed
   */
  distinct: boolean;
}

/** Blocks are at most 2^8 = 256 days long. */
const MAX_LEVEL = 8;

/** `r`'s result over [from, to) from the split above; null when the range holds no whole day. */
function rolled<T>(
  index: MemoryIndex,
  from: number,
  to: number,
  shape: string,
  cache: DayCache,
  r: Rollup<T>,
): T | null {
  index.ready();
  const firstDay = Math.ceil(from / DAY_MS);
  const endDay = Math.floor(to / DAY_MS);
  if (endDay <= firstDay) return null;
  const part: Part = r.distinct ? 'local' : 'all';
  const results: T[] = [];
  if (from < firstDay * DAY_MS) results.push(r.scan(from, firstDay * DAY_MS, part));
  for (let day = firstDay; day < endDay;) {
    let level = MAX_LEVEL;
    while (level > 0 && (day % 2 ** level !== 0 || day + 2 ** level > endDay)) level--;
    const days = 2 ** level;
    const start = day * DAY_MS;
    const end = (day + days) * DAY_MS;
    // A block without rows adds nothing (ranges from 0 cover decades of empty days).
    if (index.lowerBound(start) !== index.lowerBound(end))
      results.push(
        cache.get(index, `${day}+${days}|${shape}`, blockVersion(index, day, days), r.size, () =>
          r.scan(start, end, part),
        ),
      );
    day += days;
  }
  if (to > endDay * DAY_MS) results.push(r.scan(endDay * DAY_MS, to, part));
  if (r.distinct) results.push(r.scan(from, to, 'nonlocal'));
  return r.merge(results);
}

/** Day versions only grow, so their sum changes whenever any day of the block changes. */
function blockVersion(index: MemoryIndex, start: number, days: number): number {
  let sum = 0;
  for (let d = start; d < start + days; d++) sum += index.dayVersion(d);
  return sum;
}

/** The general query (see aggregate.ts), rolled up over whole days where it adds up. */
export function rolledAggregate(index: MemoryIndex, q: NormalizedQuery, cache: DayCache): QueryRows {
  const shape = JSON.stringify(['query', q.site, q.metrics, q.dimensions, q.filters]);
  const dims = q.dimensions.length;
  const props = propKeysOf(q).length;
  const sum = q.metrics.includes('users')
    ? null
    : rolled(index, q.from, q.to, shape, cache, {
        scan: (from, to, part) => pack(accumulate(index, { ...q, from, to }, part), dims, props),
        merge: (parts) => mergePacked(parts, dims, PACKED_WIDTH + props),
        size: (packed) => packed.values.byteLength + 16 * packed.keys.length + 64,
        distinct: true,
      });
  return finishRows(q, sum ? unpack(sum) : accumulate(index, q, 'all'));
}

/** Batched page-view top lists (see top-lists.ts); their [visitors, pageviews] add up. */
export function rolledTopLists(
  index: MemoryIndex,
  base: NormalizedQuery,
  dims: readonly Dimension[],
  cache: DayCache,
): QueryRows[] {
  const shape = JSON.stringify(['top-lists', base.site, base.filters, dims]);
  const lists = rolled(index, base.from, base.to, shape, cache, {
    scan: (from, to, part) => topLists(index, { ...base, from, to }, dims, part).map(packRows),
    merge: (results) => dims.map((_, k) => sumRows(results.map((lists) => lists[k]!))),
    size: (lists) => lists.reduce((n, rows) => n + rows.values.byteLength + 16 * rows.keys.length, 64),
    distinct: true,
  });
  return lists ? lists.map(unpackRows) : topLists(index, base, dims, 'all');
}

/** A top list's rows packed: values [visitors, pageviews] per key. */
interface PackedRows {
  keys: string[];
  values: Float64Array;
}

function packRows(rows: QueryRows): PackedRows {
  const values = new Float64Array(rows.length * 2);
  rows.forEach((row, n) => {
    values[2 * n] = row.metrics[0]!;
    values[2 * n + 1] = row.metrics[1]!;
  });
  return { keys: rows.map((row) => row.dimensions[0]!), values };
}

function unpackRows(rows: PackedRows): QueryRows {
  return rows.keys.map((key, n) => ({
    dimensions: [key],
    metrics: [rows.values[2 * n]!, rows.values[2 * n + 1]!],
  }));
}

/** Adds packed top lists, matching rows by their value. */
function sumRows(lists: PackedRows[]): PackedRows {
  const at = new Map<string, number>();
  const keys: string[] = [];
  let values = new Float64Array(256);
  for (const list of lists)
    for (let n = 0; n < list.keys.length; n++) {
      const key = list.keys[n]!;
      let g = at.get(key);
      if (g === undefined) {
        at.set(key, (g = keys.length));
        keys.push(key);
        if (2 * keys.length > values.length) {
          const grown = new Float64Array(values.length * 2);
          grown.set(values);
          values = grown;
        }
      }
      values[2 * g]! += list.values[2 * n]!;
      values[2 * g + 1]! += list.values[2 * n + 1]!;
    }
  return { keys, values: values.slice(0, 2 * keys.length) };
}

/** Funnel counts (see funnel.ts): visitors reaching each step add up across parts. */
export function rolledFunnel(index: MemoryIndex, q: NormalizedFunnel, cache: DayCache): FunnelResponse {
  const shape = JSON.stringify(['funnel', q.site, q.steps, q.windowMs, q.filters]);
  const counts = rolled(index, q.from, q.to, shape, cache, {
    scan: (from, to, part) => funnelCounts(index, { ...q, from, to }, part),
    merge: (results) => q.steps.map((_, k) => results.reduce((n, counts) => n + counts[k]!, 0)),
    size: (counts) => 8 * counts.length + 64,
    distinct: true,
  });
  return funnelResponse(q.steps, counts ?? funnelCounts(index, q, 'all'));
}

/** Numeric prop keys per event name (see events.ts), as a union over whole days. */
export function rolledPropKeys(
  index: MemoryIndex,
  q: { site: string | null; from: number; to: number; kind: RecordKind; names?: readonly string[] },
  cache: DayCache,
): Record<string, string[]> {
  const shape = JSON.stringify(['prop-keys', q.site, q.kind, q.names ?? null]);
  const keys = rolled(index, q.from, q.to, shape, cache, {
    scan: (from, to) => numericPropKeys(index, { ...q, from, to }),
    merge: (results) => {
      const union: Record<string, Set<string>> = {};
      for (const result of results)
        for (const [name, keys] of Object.entries(result))
          for (const k of keys) (union[name] ??= new Set()).add(k);
      return Object.fromEntries(Object.entries(union).map(([name, set]) => [name, [...set].sort()]));
    },
    size: (result) => 64 * (Object.keys(result).length + 1),
    distinct: false,
  });
  return keys ?? numericPropKeys(index, q);
}

interface Entry {
  epoch: number;
  version: number;
  result: unknown;
  size: number;
}

/**
 * Partial results by (block of days, query shape), checked against the index's day versions so
 * an append to a day (a late or backdated event) rebuilds every block holding it. Least
 * recently used entries go first once the results held add up to `budgetBytes` (estimated);
 * the blocks the dashboard's ranges use over 1M records take a few tens of MB.
 */
export class DayCache {
  private readonly entries = new Map<string, Entry>();
  private held = 0;

  constructor(private readonly budgetBytes = 64 * 2 ** 20) {}

  get<T>(
    index: MemoryIndex,
    key: string,
    version: number,
    sizeOf: (result: T) => number,
    compute: () => T,
  ): T {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.held -= hit.size;
    }
    const fresh = hit && hit.epoch === index.epoch && hit.version === version;
    let entry: Entry;
    if (fresh) entry = hit;
    else {
      const result = compute();
      entry = { epoch: index.epoch, version, result, size: sizeOf(result) };
    }
    this.entries.set(key, entry);
    this.held += entry.size;
    for (const [oldKey, old] of this.entries) {
      if (this.held <= this.budgetBytes) break;
      this.entries.delete(oldKey);
      this.held -= old.size;
    }
    return entry.result as T;
  }
}
