import type {
  Filter,
  NormalizedQuery,
  NumericSummary,
  PropertiesResponse,
  PropertyBreakdown,
} from '../../shared/api.ts';
import type { QueryBackend } from '../backend.ts';
import { firstRows, totals } from './query.ts';

/** At most this many props of one action are broken down, the first keys in sort order. */
export const MAX_PROPERTIES = 20;
/** Props are found on the action's newest records (plus every numeric key the backend knows). */
const SAMPLE = 500;
const HISTOGRAM_BUCKETS = 10;

/**
 * Each prop of one action: its values with count and visitors, and for numbers sum, average and a
 * histogram. Composed of general queries (two per prop), so both backends agree: the same as
 * grouping POST /query by `event:props:KEY` under `event:name is ACTION`.
 */
export async function propertyBreakdowns(
  backend: QueryBackend,
  base: NormalizedQuery,
  action: string,
  limit: number,
): Promise<PropertiesResponse> {
  const filters: Filter[] = [
    ...base.filters,
    ['is', 'event:kind', ['action']],
    ['is', 'event:name', [action]],
  ];
  const scoped = { ...base, filters };
  const [head, sample, numeric] = await Promise.all([
    totals(backend, { ...scoped, metrics: ['actions', 'visitors'] }),
    backend.events({
      site: base.site,
      from: base.from,
      to: base.to,
      filters,
      order: 'desc',
      limit: SAMPLE,
      skipEngagement: true,
      withoutSessions: true,
    }),
    backend.numericPropKeys({
      site: base.site,
      from: base.from,
      to: base.to,
      kind: 'action',
      names: [action],
    }),
  ]);
  const keys = new Set(Object.hasOwn(numeric, action) ? numeric[action] : []);
  for (const event of sample) for (const key of Object.keys(event.props)) keys.add(key);
  const chosen = [...keys].sort().slice(0, MAX_PROPERTIES);
  const properties = await Promise.all(chosen.map((key) => breakdown(backend, scoped, key, limit)));
  return {
    action,
    count: head.actions,
    visitors: head.visitors,
    properties: properties.filter((p) => p.count > 0),
  };
}

async function breakdown(
  backend: QueryBackend,
  scoped: NormalizedQuery,
  key: string,
  limit: number,
): Promise<PropertyBreakdown> {
  const dim = `event:props:${key}` as const;
  const byValue: NormalizedQuery = {
    ...scoped,
    metrics: ['actions', 'visitors'],
    dimensions: [dim],
    order_by: [
      ['actions', 'desc'],
      ['visitors', 'desc'],
    ],
  };
  const [rows, carrying] = await Promise.all([
    backend.query(byValue),
    totals(backend, {
      ...scoped,
      metrics: ['actions', 'visitors'],
      filters: [...scoped.filters, ['is_not', dim, ['']]],
    }),
  ]);
  const present = rows.filter((r) => r.dimensions[0] !== '');
  return {
    key,
    count: carrying.actions,
    visitors: carrying.visitors,
    values: firstRows(present, byValue, limit).map((r) => ({
      value: r.dimensions[0]!,
      count: r.metrics[0]!,
      visitors: r.metrics[1]!,
    })),
    total_values: present.length,
    numeric: summarize(present.map((r) => [r.dimensions[0]!, r.metrics[0]!])),
  };
}

/** Sum, average, extremes and histogram from (value, count) pairs; null unless all are numbers. */
export function summarize(pairs: [string, number][]): NumericSummary | null {
  if (pairs.length === 0) return null;
  const values: [number, number][] = [];
  for (const [text, count] of pairs) {
    const n = text.trim() === '' ? NaN : Number(text);
    if (!Number.isFinite(n)) return null;
    values.push([n, count]);
  }
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const [v, c] of values) {
    count += c;
    sum += v * c;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  return {
    count,
    sum: round(sum),
    avg: round(sum / count),
    min,
    max,
    histogram: histogram(values, min, max),
  };
}

/**
 * Equal-width buckets from min to max. Whole numbers spanning fewer values than buckets get one
 * bucket per value ([3, 4) holds the 3s), so a small count reads as its own bars.
 */
function histogram(values: [number, number][], min: number, max: number): NumericSummary['histogram'] {
  const whole = values.every(([v]) => Number.isInteger(v));
  const n = whole && max - min + 1 <= HISTOGRAM_BUCKETS ? max - min + 1 : min === max ? 1 : HISTOGRAM_BUCKETS;
  const width = whole && n === max - min + 1 ? 1 : (max - min) / n || 1;
  const buckets = Array.from({ length: n }, (_, k) => ({
    from: round(min + k * width),
    to: round(min + (k + 1) * width),
    count: 0,
  }));
  for (const [v, c] of values) buckets[Math.min(n - 1, Math.floor((v - min) / width))]!.count += c;
  return buckets;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
