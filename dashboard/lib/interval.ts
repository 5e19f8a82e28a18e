// Which buckets the chart may use for a view's range, with the API's own rule (allowedIntervals),
// so the picker never offers what the collector would refuse.

import { allowedIntervals } from '../../shared/api-goals.ts';
import type { Interval } from '../../shared/time.ts';
import type { ViewState } from './url-state.ts';

const DAY = 86_400_000;
const RANGE_DAYS = { '24h': 1, '7d': 7, '30d': 30, '90d': 90 } as const;

/** The length of the view's range in ms (a custom range's days are inclusive). */
export function rangeSpan(state: ViewState): number {
  if (state.range !== 'custom') return RANGE_DAYS[state.range] * DAY;
  const from = Date.parse(`${state.from}T00:00:00Z`);
  const to = Date.parse(`${state.to}T00:00:00Z`);
  return Number.isFinite(from) && Number.isFinite(to) ? to - from + DAY : DAY;
}

/** The intervals the picker offers for the view's range. */
export function intervalsFor(state: ViewState): Interval[] {
  return allowedIntervals(rangeSpan(state));
}

/**
 * The chart's interval: the admin's pick while the range allows it, else hourly for a day,
 * daily beyond (a picked "month" falls back to days on a 7-day range, and returns on 90 days).
 */
export function chartInterval(state: ViewState): Interval {
  if (state.interval && intervalsFor(state).includes(state.interval)) return state.interval;
  return state.range === '24h' || (state.range === 'custom' && state.from === state.to) ? 'hour' : 'day';
}
