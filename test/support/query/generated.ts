import type { Filter, Metric, NormalizedQuery, QueryRow } from '../../../shared/api.ts';

/** Rows in one order (by their dimension values), so answers compare whatever order they came in. */
export function byDimensions(rows: QueryRow[]): QueryRow[] {
  return [...rows].sort((a, b) => (JSON.stringify(a.dimensions) < JSON.stringify(b.dimensions) ? -1 : 1));
}

/** A generated query's fields as a NormalizedQuery over [t0 + from, t0 + from + length) minutes. */
export function generatedQuery(
  g: {
    site: string | null;
    metrics: Metric[];
    dimensions: readonly NormalizedQuery['dimensions'][number][];
    filters: Filter[];
    from: number;
    length: number;
  },
  t0: number,
): NormalizedQuery {
  return {
    site: g.site,
    metrics: g.metrics,
    dimensions: [...g.dimensions],
    filters: g.filters,
    from: t0 + g.from * 60_000,
    to: t0 + (g.from + g.length) * 60_000,
    order_by: [],
    limit: 10_000,
    offset: 0,
  };
}
