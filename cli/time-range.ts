import type { TimeRange } from '../storage/types.ts';
import { UsageError } from './usage-error.ts';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY = 86_400_000;

/**
 * Reads --from / --to: a date (YYYY-MM-DD, UTC, both ends inclusive) or an ISO time with a zone
 * (exact; --to exclusive). Anything else is a UsageError naming the flag.
 */
export function parseTimeRange(from: unknown, to: unknown): TimeRange {
  const range: TimeRange = {};
  if (from !== undefined) range.from = parseInstant('--from', from, false);
  if (to !== undefined) range.to = parseInstant('--to', to, true);
  if (range.from !== undefined && range.to !== undefined && range.from >= range.to) {
    throw new UsageError('--from must be before --to');
  }
  return range;
}

function parseInstant(flag: string, value: unknown, endOfDay: boolean): number {
  const text = String(value).trim();
  if (DATE.test(text)) {
    const start = Date.parse(`${text}T00:00:00Z`);
    if (Number.isNaN(start) || new Date(start).toISOString().slice(0, 10) !== text) {
      throw new UsageError(`${flag} is not a date: ${JSON.stringify(text)}`);
    }
    return endOfDay ? start + DAY : start;
  }
  if (/^\d{4}-\d{2}-\d{2}T.+(Z|[+-]\d{2}:?\d{2})$/.test(text)) {
    const t = Date.parse(text);
    if (!Number.isNaN(t)) return t;
  }
  throw new UsageError(`${flag} must be YYYY-MM-DD or an ISO time with a zone, got ${JSON.stringify(text)}`);
}
