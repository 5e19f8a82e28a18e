import type { RecordKind } from '../../schema.ts';
import { DAY_MS } from '../time.ts';
import type { Dimension, NormalizedQuery, QueryRows } from '../types.ts';
import { accumulate, finishRows, Group, type PartResult } from './aggregate.ts';
import { numericPropKeys } from './events.ts';
import type { MemoryIndex } from './index.ts';
import type { Part } from './scope.ts';
import { topLists } from './top-lists.ts';

/**
 * Long ranges from cached partial results over whole UTC days, exactly.
 *
 * A range splits into the whole UTC days inside it and the ragged ends. Rows of day-local
 * visitors (nearly all: the visitor id changes with the daily salt) are summed over days: such a
 * visitor and its sessions live in one day, so distinct visitors, sessions, bounces, durations and
 * scroll maxima of different days simply add. The whole days are covered by aligned blocks of 1,
 * 2, 4 … 256 days whose results are cached and rebuilt only when one of their days changes, so a
 * 90-day range merges about a dozen results; the ragged ends are scanned. Rows of the other
 * visitors (server-side `u:` ids, explicit sessions) are scanned over the whole range from their
 * own short list, and add to the rest for the same reason. Distinct `users` do not add (an
 * identified user spans days), so queries asking for them are answered by one plain scan.
 */
interface Rollup<T> {
  /** a result over [from, to) in `part` */
  scan(from: number, to: number, part: Part): T;
  merge(results: T[]): T;
  /** entries held, for the cache's budget */
  size(result: T): number;
  /**
   * false when the result does not count distinct visitors or sessions, so any split of the
   * rows adds up and the local / non-local split is not needed
   */
  distinct: boolean;
}

const MAX_LEVEL = 8;

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
  const block = (level: number, start: number): void => {
    const days = 2 ** level;
    const lo = index.lowerBound(start * DAY_MS);
    if (lo === index.lowerBound((start + days) * DAY_MS)) return; // no rows: nothing to add
    const key = `${level}:${start}|${shape}`;
    results.push(
      cache.get(index, key, blockVersion(index, start, days), r.size, () => {
        if (level === 0) return r.scan(start * DAY_MS, (start + 1) * DAY_MS, part);
        const outer = results.length;
        block(level - 1, start);
        block(level - 1, start + days / 2);
        return r.merge(results.splice(outer));
      }),
    );
  };
  for (let day = firstDay; day < endDay;) {
    let level = MAX_LEVEL;
    while (level > 0 && (day % 2 ** level !== 0 || day + 2 ** level > endDay)) level--;
    block(level, day);
    day += 2 ** level;
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
  const sum = q.metrics.includes('users')
    ? null
    : rolled(index, q.from, q.to, shape, cache, {
        scan: (from, to, part) => accumulate(index, { ...q, from, to }, part),
        merge: mergeParts,
        size: (result) => result.groups.length + 1,
        distinct: true,
      });
  return finishRows(q, sum ?? accumulate(index, q, 'all'));
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
    scan: (from, to, part) => topLists(index, { ...base, from, to }, dims, part),
    merge: (results) => dims.map((_, k) => sumRows(results.map((lists) => lists[k]!))),
    size: (lists) => lists.reduce((n, rows) => n + rows.length, 1),
    distinct: true,
  });
  return lists ?? topLists(index, base, dims, 'all');
}

/** Numeric prop keys per event name (see events.ts), as a union over whole days. */
export function rolledPropKeys(
  index: MemoryIndex,
  q: { site: string | null; from: number; to: number; kind: RecordKind },
  cache: DayCache,
): Record<string, string[]> {
  const shape = JSON.stringify(['prop-keys', q.site, q.kind]);
  const keys = rolled(index, q.from, q.to, shape, cache, {
    scan: (from, to) => numericPropKeys(index, { ...q, from, to }),
    merge: (results) => {
      const union: Record<string, Set<string>> = {};
      for (const result of results)
        for (const [name, keys] of Object.entries(result))
          for (const k of keys) (union[name] ??= new Set()).add(k);
      return Object.fromEntries(Object.entries(union).map(([name, set]) => [name, [...set].sort()]));
    },
    size: (result) => Object.keys(result).length + 1,
    distinct: false,
  });
  return keys ?? numericPropKeys(index, q);
}

/** Adds part results group by group, matching groups by their dimension values. */
function mergeParts(parts: PartResult[]): PartResult {
  const groups = new Map<string, Group>();
  let visitors = 0;
  for (const part of parts) {
    visitors += part.visitors;
    for (const group of part.groups) {
      const key = group.labels.length === 1 ? group.labels[0]! : group.labels.join('\u0000');
      const mine = groups.get(key);
      // Cached groups are shared between answers: copy before adding into one.
      if (mine) mine.add(group);
      else groups.set(key, group.copy());
    }
  }
  return { groups: [...groups.values()], visitors };
}

/** Adds single-dimension rows whose metrics all add up, matching rows by their value. */
function sumRows(lists: QueryRows[]): QueryRows {
  const sums = new Map<string, number[]>();
  for (const rows of lists)
    for (const row of rows) {
      const mine = sums.get(row.dimensions[0]!);
      if (mine) for (let k = 0; k < mine.length; k++) mine[k]! += row.metrics[k]!;
      else sums.set(row.dimensions[0]!, [...row.metrics]);
    }
  return [...sums].map(([key, metrics]) => ({ dimensions: [key], metrics }));
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
 * recently used entries go first once the cache holds `budget` groups or rows in all (a few
 * hundred bytes each).
 */
export class DayCache {
  private readonly entries = new Map<string, Entry>();
  private held = 0;

  constructor(private readonly budget = 300_000) {}

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
    const result = fresh ? (hit.result as T) : compute();
    const entry = { epoch: index.epoch, version, result, size: sizeOf(result) };
    this.entries.set(key, entry);
    this.held += entry.size;
    for (const [oldKey, old] of this.entries) {
      if (this.held <= this.budget) break;
      this.entries.delete(oldKey);
      this.held -= old.size;
    }
    return result;
  }
}
