import { bucketLabel, bucketStart, DAY_MS, type Interval } from '../shared/time.ts';
import type { CompareMode, Dimension } from '../shared/api.ts';
import type { AbsoluteRange } from './range.ts';

export const COMPARE_MODES = ['previous_period', 'year_over_year'] as const satisfies readonly CompareMode[];

/**
 * The range a query is compared with: the equally long range just before it, or the same range
 * one calendar year earlier (29 February falls back to the 28th).
 */
export function comparisonRange(range: AbsoluteRange, mode: CompareMode): AbsoluteRange {
  if (mode === 'previous_period') return { from: range.from - (range.to - range.from), to: range.from };
  return { from: moveYears(range.from, -1), to: moveYears(range.to, -1) };
}

/** The same UTC date and time `years` later (or earlier); a 29 February becomes the 28th. */
function moveYears(ts: number, years: number): number {
  const d = new Date(ts);
  const day = d.getUTCDate();
  const moved = new Date(ts);
  moved.setUTCFullYear(d.getUTCFullYear() + years);
  // Date rolls 29 Feb of a year without one over to 1 March.
  return moved.getUTCDate() === day ? moved.getTime() : moved.getTime() - DAY_MS;
}

/**
 * The current range's time bucket that a comparison row's bucket stands for, so a chart draws
 * both periods on one axis. Previous period: the bucket holding the row's start moved by the
 * ranges' offset (rolling ranges start mid-bucket, so the compared range's own start is used for
 * its first bucket). Year over year: the same calendar date a year later. Week and month buckets
 * take the bucket the moved start falls in, so two may meet in one.
 */
export function shiftBucket(
  label: string,
  dimension: Dimension,
  current: AbsoluteRange,
  compared: AbsoluteRange,
  mode: CompareMode,
): string {
  const interval = dimension.slice(5) as Interval;
  const iso =
    interval === 'month' ? `${label}-01T00:00:00Z` : label.length === 10 ? `${label}T00:00:00Z` : label;
  const start = Date.parse(iso);
  if (!Number.isFinite(start)) return label;
  const moved =
    mode === 'year_over_year'
      ? moveYears(start, 1)
      : Math.max(start, compared.from) + (current.from - compared.from);
  return bucketLabel(bucketStart(moved, interval), interval);
}
