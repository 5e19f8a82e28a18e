import type { DateRangeInput } from '../shared/api.ts';
import { QueryError } from '../shared/query-error.ts';
import { DAY_MS } from '../shared/time.ts';

export { QueryError };

export interface AbsoluteRange {
  from: number;
  to: number;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Rolling range of `days` × 24 h ending now (inclusive of now). */
export function lastDays(days: number, now: number): AbsoluteRange {
  return { from: now - days * DAY_MS, to: now + 1 };
}

/** Whole UTC days from `from` to `to`, both inclusive. `field` names the parameter in errors. */
export function dateSpan(from: string, to: string, field: string): AbsoluteRange {
  const start = parseDate(from, field);
  const end = parseDate(to, field);
  if (end < start) throw new QueryError(`${field}: end date is before the start date`);
  if (end - start > 3660 * DAY_MS) throw new QueryError(`${field}: at most 10 years`);
  return { from: start, to: end + DAY_MS };
}

/** Resolves `24h|7d|30d|90d|all|Nd` or two ISO dates (see "Range" in types.ts). */
export function resolveDateRange(
  input: DateRangeInput | undefined,
  now: number,
  fallback: string,
  field = 'date_range',
): AbsoluteRange {
  const value = input ?? fallback;
  if (Array.isArray(value)) {
    if (value.length !== 2 || typeof value[0] !== 'string' || typeof value[1] !== 'string')
      throw new QueryError(`${field} must be a preset or two ISO dates`);
    return dateSpan(value[0], value[1], field);
  }
  if (typeof value !== 'string') throw new QueryError(`${field} must be a preset or two ISO dates`);
  if (value === 'all') return { from: 0, to: now + 1 };
  if (value === '24h') return lastDays(1, now);
  const days = /^(\d{1,3})d$/.exec(value);
  if (days && Number(days[1]) >= 1 && Number(days[1]) <= 365) return lastDays(Number(days[1]), now);
  throw new QueryError(`${field} must be 24h, 7d, 30d, 90d, Nd (1–365), all or two ISO dates`);
}

function parseDate(value: string, field: string): number {
  if (!DATE.test(value)) throw new QueryError(`${field}: ${JSON.stringify(value)} is not a YYYY-MM-DD date`);
  const t = Date.parse(value + 'T00:00:00Z');
  if (!Number.isFinite(t) || new Date(t).toISOString().slice(0, 10) !== value)
    throw new QueryError(`${field}: ${JSON.stringify(value)} is not a valid date`);
  return t;
}
