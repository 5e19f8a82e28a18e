import {
  METRICS,
  RECORD_DIMENSIONS,
  SESSION_DIMENSIONS,
  TIME_DIMENSIONS,
  VISITOR_FILTER_DIMENSIONS,
} from '../shared/api.ts';
import type { CompareMode, Dimension, Filter, FunnelStep, Metric, NormalizedQuery } from '../shared/api.ts';
import type { NormalizedFunnel } from './backend.ts';
import { QueryError, resolveDateRange } from './range.ts';
import { compileRegex, RegexSyntaxError } from './regex.ts';
import { COMPARE_MODES } from './compare.ts';

const PLAIN_DIMENSIONS = new Set<string>([...RECORD_DIMENSIONS, ...SESSION_DIMENSIONS, ...TIME_DIMENSIONS]);
const OPS = new Set(['is', 'is_not', 'contains', 'matches', 'gt', 'gte', 'lt', 'lte']);
// Keys may hold anything but C0 control characters, which is what this class rejects.
// eslint-disable-next-line no-control-regex
const KEY = /^[^\u0000-\u001f]{1,300}$/;
// Work caps: each filter leaf is a pass over a dictionary and a test per row, each prop_sum a
// sum per row; the query budget (budget.ts) bounds the rest.
export const MAX_FILTER_LEAVES = 200;
export const MAX_METRICS = 40;
export const MAX_PROP_SUMS = 20;

type Json = Record<string, unknown>;

/** Checks an untrusted general query and resolves its range; errors name the bad field. */
export function normalizeQuery(body: unknown, now: number, site?: string): NormalizedQuery {
  const q = object(body, 'body');
  known(q, [
    'site',
    'metrics',
    'dimensions',
    'filters',
    'date_range',
    'compare',
    'order_by',
    'limit',
    'offset',
    'include',
  ]);
  const metrics = list(q.metrics, 'metrics').map((m, i) => metric(m, `metrics[${i}]`));
  if (metrics.length === 0) throw new QueryError('metrics: at least one metric is needed');
  if (metrics.length > MAX_METRICS) throw new QueryError(`metrics: at most ${MAX_METRICS}`);
  if (metrics.filter((m) => m.startsWith('prop_sum:')).length > MAX_PROP_SUMS)
    throw new QueryError(`metrics: at most ${MAX_PROP_SUMS} prop_sum metrics`);
  const dimensions =
    q.dimensions === undefined
      ? []
      : list(q.dimensions, 'dimensions').map((d, i) => dimension(d, `dimensions[${i}]`));
  if (dimensions.length > 4) throw new QueryError('dimensions: at most 4');
  const filters = normalizeFilters(q.filters);
  const range = resolveDateRange(q.date_range as never, now, '30d');
  if (q.compare !== undefined && !(COMPARE_MODES as readonly unknown[]).includes(q.compare))
    throw new QueryError('compare must be "previous_period" or "year_over_year"');
  const orderBy =
    q.order_by === undefined
      ? []
      : list(q.order_by, 'order_by').map((o, i) => {
          const field = `order_by[${i}]`;
          if (!Array.isArray(o) || o.length !== 2 || (o[1] !== 'asc' && o[1] !== 'desc'))
            throw new QueryError(`${field} must be [metric or dimension, "asc" | "desc"]`);
          if (!metrics.includes(o[0]) && !dimensions.includes(o[0]))
            throw new QueryError(
              `${field}: ${JSON.stringify(o[0])} is not one of the query's metrics or dimensions`,
            );
          return [o[0], o[1]] as [Metric | Dimension, 'asc' | 'desc'];
        });
  return {
    site: siteOf(q.site ?? site),
    metrics,
    dimensions,
    filters,
    from: range.from,
    to: range.to,
    order_by: orderBy,
    limit: int(q.limit, 'limit', 100, 1, 10_000),
    offset: int(q.offset, 'offset', 0, 0, 1_000_000),
  };
}

/** The `compare` of a checked query body: a mode, or null for none. */
export function compareOf(body: unknown): CompareMode | null {
  const mode = (body as { compare?: unknown } | null)?.compare;
  return (COMPARE_MODES as readonly unknown[]).includes(mode) ? (mode as CompareMode) : null;
}

/** Checks a filter list (the `filters` field of any request). */
export function normalizeFilters(raw: unknown, field = 'filters'): Filter[] {
  if (raw === undefined) return [];
  const filters = list(raw, field).map((f, i) => filter(f, `${field}[${i}]`, 0));
  if (leaves(filters) > MAX_FILTER_LEAVES)
    throw new QueryError(
      `${field}: at most ${MAX_FILTER_LEAVES} filters in all (and/or/not count their parts)`,
    );
  return filters;
}

function leaves(filters: Filter[]): number {
  let n = 0;
  for (const f of filters)
    n +=
      f[0] === 'and' || f[0] === 'or'
        ? leaves(f[1] as Filter[])
        : f[0] === 'not' || f[0] === 'visitor'
          ? leaves([f[1] as Filter])
          : 1;
  return n;
}

const SESSION_OR_VISITOR = new Set<unknown>([...SESSION_DIMENSIONS, ...VISITOR_FILTER_DIMENSIONS]);

/** True when a filter reads only per-record dimensions (no session, no visitor-scoped part). */
function recordOnly(f: Filter): boolean {
  if (f[0] === 'and' || f[0] === 'or') return (f[1] as Filter[]).every(recordOnly);
  if (f[0] === 'not') return recordOnly(f[1] as Filter);
  if (f[0] === 'visitor') return false;
  return !SESSION_OR_VISITOR.has(f[1]);
}

/** `filters` of a GET endpoint: a filter list, or its JSON text from the query string. */
export function filtersParam(raw: unknown): Filter[] {
  if (raw === undefined || raw === '') return [];
  if (typeof raw !== 'string') return normalizeFilters(raw);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new QueryError('filters must be a JSON array of filters, e.g. [["is","country",["DE"]]]');
  }
  return normalizeFilters(parsed);
}

/** Checks a funnel request; absent steps give the default CloudFace funnel. */
export function normalizeFunnel(body: unknown, now: number, site?: string): NormalizedFunnel {
  const q = object(body, 'body');
  known(q, ['site', 'date_range', 'steps', 'window_minutes', 'filters']);
  const range = resolveDateRange(q.date_range as never, now, '30d');
  const steps =
    q.steps === undefined ? DEFAULT_FUNNEL : list(q.steps, 'steps').map((s, i) => step(s, `steps[${i}]`));
  if (steps.length < 2 || steps.length > 10) throw new QueryError('steps: 2 to 10 steps');
  return {
    site: siteOf(q.site ?? site),
    from: range.from,
    to: range.to,
    steps,
    windowMs:
      q.window_minutes === undefined ? null : int(q.window_minutes, 'window_minutes', 0, 1, 525_600) * 60_000,
    filters: normalizeFilters(q.filters),
  };
}

/** visit → photo processed → link created → share, the seed's conversion funnel. */
export const DEFAULT_FUNNEL: FunnelStep[] = [
  { type: 'page', value: '*', label: 'Visit' },
  { type: 'action', value: 'photo_processed', label: 'Photo processed' },
  { type: 'action', value: 'link_created', label: 'Link created' },
  { type: 'share', label: 'Shared' },
];

/** A whole number parameter in [min, max]; `field` names it in the error. */
export function int(raw: unknown, field: string, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === null || raw === '') return fallback;
  const n = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max)
    throw new QueryError(`${field} must be a whole number from ${min} to ${max}`);
  return n;
}

/** A site name, or null for every site. */
export function siteOf(raw: unknown): string | null {
  if (raw === undefined || raw === null || raw === '') return null;
  if (typeof raw !== 'string' || !/^[a-z0-9.-]+(:\d{1,5})?$/i.test(raw) || raw.length > 253)
    throw new QueryError('site must be a domain name');
  return raw.toLowerCase();
}

function step(raw: unknown, field: string): FunnelStep {
  const s = object(raw, field);
  if (s.type !== 'page' && s.type !== 'action' && s.type !== 'share')
    throw new QueryError(`${field}.type must be page, action or share`);
  if (s.value !== undefined && (typeof s.value !== 'string' || !KEY.test(s.value)))
    throw new QueryError(`${field}.value must be a non-empty string`);
  if (s.type !== 'share' && s.value === undefined) throw new QueryError(`${field}.value is needed`);
  if (s.label !== undefined && (typeof s.label !== 'string' || s.label.length > 200))
    throw new QueryError(`${field}.label must be a string`);
  return { type: s.type, value: s.value as string, ...(s.label ? { label: s.label as string } : {}) };
}

function filter(raw: unknown, field: string, depth: number): Filter {
  if (depth > 5) throw new QueryError(`${field}: filters nest at most 5 deep`);
  if (!Array.isArray(raw)) throw new QueryError(`${field} must be an array like ["is", "page", ["/"]]`);
  const [op, a, b] = raw as unknown[];
  if (op === 'and' || op === 'or') {
    if (raw.length !== 2) throw new QueryError(`${field}: ["${op}", [filters…]]`);
    return [op, list(a, `${field}[1]`).map((f, i) => filter(f, `${field}[1][${i}]`, depth + 1))];
  }
  if (op === 'not') {
    if (raw.length !== 2) throw new QueryError(`${field}: ["not", filter]`);
    return ['not', filter(a, `${field}[1]`, depth + 1)];
  }
  if (op === 'visitor') {
    if (raw.length !== 2) throw new QueryError(`${field}: ["visitor", filter]`);
    const inner = filter(a, `${field}[1]`, depth + 1);
    // The visitors are found in one pass over the range's records, where sessions are not built.
    if (!recordOnly(inner))
      throw new QueryError(
        `${field}[1]: a visitor filter reads record dimensions only (page, event:*, share:channel, country…), not session or visitor ones`,
      );
    return ['visitor', inner];
  }
  if (typeof op !== 'string' || !OPS.has(op))
    throw new QueryError(`${field}[0]: unknown operator ${JSON.stringify(op)}`);
  const dim = (VISITOR_FILTER_DIMENSIONS as readonly unknown[]).includes(a)
    ? (a as Dimension)
    : dimension(a, `${field}[1]`);
  if (dim.startsWith('time:'))
    throw new QueryError(`${field}[1]: time dimensions cannot be filtered; use date_range`);
  const values = list(b, `${field}[2]`);
  if (values.length === 0 || values.length > 100) throw new QueryError(`${field}[2]: 1 to 100 values`);
  for (const v of values) {
    if (typeof v !== 'string' && typeof v !== 'number')
      throw new QueryError(`${field}[2]: values must be strings or numbers`);
  }
  if (op === 'matches') {
    // Our linear-time subset (regex.ts), which ClickHouse's RE2 reads the same way.
    for (const v of values) {
      if (String(v).length > 500)
        throw new QueryError(`${field}[2]: a regular expression is at most 500 characters`);
      try {
        compileRegex(String(v));
      } catch (error) {
        if (!(error instanceof RegexSyntaxError)) throw error;
        throw new QueryError(
          `${field}[2]: ${JSON.stringify(v)} is not a supported regular expression: ${error.message}`,
        );
      }
    }
  }
  if (['gt', 'gte', 'lt', 'lte'].includes(op) && (values.length !== 1 || !Number.isFinite(Number(values[0]))))
    throw new QueryError(`${field}[2]: ${op} takes one number`);
  return [op as never, dim as never, values as (string | number)[]];
}

function metric(raw: unknown, field: string): Metric {
  if (typeof raw === 'string') {
    if ((METRICS as readonly string[]).includes(raw)) return raw as Metric;
    if (raw.startsWith('prop_sum:') && KEY.test(raw.slice(9))) return raw as Metric;
  }
  throw new QueryError(`${field}: unknown metric ${JSON.stringify(raw)}`);
}

function dimension(raw: unknown, field: string): Dimension {
  if ((VISITOR_FILTER_DIMENSIONS as readonly unknown[]).includes(raw))
    throw new QueryError(`${field}: ${raw as string} can only filter, not group`);
  if (typeof raw === 'string') {
    if (PLAIN_DIMENSIONS.has(raw)) return raw as Dimension;
    if (raw.startsWith('event:props:') && KEY.test(raw.slice(12))) return raw as Dimension;
  }
  throw new QueryError(`${field}: unknown dimension ${JSON.stringify(raw)}`);
}

function object(raw: unknown, field: string): Json {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new QueryError(`${field} must be a JSON object`);
  return raw as Json;
}

function list(raw: unknown, field: string): unknown[] {
  if (!Array.isArray(raw)) throw new QueryError(`${field} must be an array`);
  return raw;
}

function known(q: Json, keys: string[]): void {
  for (const key of Object.keys(q)) if (!keys.includes(key)) throw new QueryError(`${key}: unknown field`);
}
