import type {
  CompareMode,
  Dimension,
  Metric,
  NormalizedQuery,
  QueryResponse,
  QueryRow,
} from '../../shared/api.ts';
import { comparisonRange, shiftBucket } from '../compare.ts';
import type { QueryBackend } from '../backend.ts';

/** Sorts rows by the query's order_by (default: first metric desc, then dimensions asc). */
export function sortRows(rows: QueryRow[], q: NormalizedQuery): QueryRow[] {
  return [...rows].sort(rowOrder(q));
}

/**
 * The first `n` rows in sortRows' order without sorting the rest: a top list needs 10 of a few
 * thousand (pages, cities), and sorting them all was a third of a 90-day `overall`. The order is
 * total (rows of one answer differ in their dimensions), so this picks exactly sortRows' head.
 */
export function firstRows(rows: QueryRow[], q: NormalizedQuery, n: number): QueryRow[] {
  if (n * 8 >= rows.length) return sortRows(rows, q).slice(0, n);
  const order = rowOrder(q);
  const best: QueryRow[] = [];
  for (const row of rows) {
    if (best.length === n && order(row, best[n - 1]!) >= 0) continue;
    let k = Math.min(best.length, n - 1);
    best[k] = row;
    for (; k > 0 && order(best[k]!, best[k - 1]!) < 0; k--) [best[k], best[k - 1]] = [best[k - 1]!, best[k]!];
  }
  return best;
}

/** The query's row order: order_by (or the first metric, descending), then the dimensions. */
function rowOrder(q: NormalizedQuery): (a: QueryRow, b: QueryRow) => number {
  const order: [Metric | Dimension, 'asc' | 'desc'][] = q.order_by.length
    ? [...q.order_by]
    : [[q.metrics[0]!, 'desc']];
  for (const d of q.dimensions) order.push([d, 'asc']);
  const keys = order.map(([field, dir]) => {
    const m = q.metrics.indexOf(field as Metric);
    const d = q.dimensions.indexOf(field as Dimension);
    return { m, d, sign: dir === 'asc' ? 1 : -1 };
  });
  return (a, b) => {
    for (const { m, d, sign } of keys) {
      const c =
        m >= 0
          ? a.metrics[m]! - b.metrics[m]!
          : a.dimensions[d]! < b.dimensions[d]!
            ? -1
            : a.dimensions[d]! > b.dimensions[d]!
              ? 1
              : 0;
      if (c !== 0) return c * sign;
    }
    return 0;
  };
}

/**
 * Runs a general query on a backend: sort, page, and the compared range when asked. With a time
 * dimension the compared rows' buckets are moved onto the current range's (compare.ts), and a
 * bucket that has figures only in the compared range is listed with zeros, so a chart's second
 * line has every point.
 */
export async function runQuery(
  backend: QueryBackend,
  q: NormalizedQuery,
  compare: CompareMode | null = null,
): Promise<QueryResponse> {
  if (!compare) {
    const rows = await backend.query(q);
    const page = firstRows(rows, q, q.offset + q.limit).slice(q.offset);
    return { results: page, total_rows: rows.length, query: q };
  }
  const range = comparisonRange(q, compare);
  const [rows, previous] = await Promise.all([backend.query(q), backend.query({ ...q, ...range })]);
  const timeAt = q.dimensions.findIndex((d) => d.startsWith('time:'));
  const keyOf = (dims: string[]) => JSON.stringify(dims);
  const byKey = new Map<string, number[]>();
  for (const r of previous) {
    const dims = [...r.dimensions];
    if (timeAt >= 0) dims[timeAt] = shiftBucket(dims[timeAt]!, q.dimensions[timeAt]!, q, range, compare);
    if (!byKey.has(keyOf(dims))) byKey.set(keyOf(dims), r.metrics);
  }
  const all = [...rows];
  if (timeAt >= 0) {
    const present = new Set(rows.map((r) => keyOf(r.dimensions)));
    for (const key of byKey.keys())
      if (!present.has(key))
        all.push({ dimensions: JSON.parse(key) as string[], metrics: q.metrics.map(() => 0) });
  }
  const page = firstRows(all, q, q.offset + q.limit).slice(q.offset);
  return {
    results: page.map((r) => ({
      ...r,
      comparison: byKey.get(keyOf(r.dimensions)) ?? q.metrics.map(() => 0),
    })),
    total_rows: all.length,
    query: q,
    comparison_range: { mode: compare, ...range },
  };
}

/** The single row of an ungrouped query as { metric: value }. */
export async function totals<M extends Metric>(
  backend: QueryBackend,
  q: NormalizedQuery & { metrics: M[] },
): Promise<Record<M, number>> {
  const rows = await backend.query({ ...q, dimensions: [] });
  const out = {} as Record<M, number>;
  q.metrics.forEach((m, k) => ((out as Record<string, number>)[m] = rows[0]?.metrics[k] ?? 0));
  return out;
}

/** A base query over a range with no metrics yet, to spread into specific ones. */
export function baseQuery(site: string | null, from: number, to: number): NormalizedQuery {
  return { site, metrics: [], dimensions: [], filters: [], from, to, order_by: [], limit: 100, offset: 0 };
}
