import { round2 } from './round.ts';
import { isoDay } from '../shared/time.ts';
import type { FunnelResponse, FunnelStep, RetentionResponse } from '../shared/api.ts';

/**
 * The response shapes of the funnel and retention reports, built from the raw counts a backend
 * computes. Both backends call these, so labels, rates and rounding cannot drift apart.
 */

export const RETENTION_NOTE =
  'Cohorts are identified users (identify or server-side user_id) by the week of their first record; anonymous visitors get a new id every day and cannot be followed across weeks.';

/** A step's label: its own, else "page /x", "action name" or "share". */
export function stepLabel(step: FunnelStep): string {
  if (step.label) return step.label;
  if (step.type === 'share') return step.value ? `share ${step.value}` : 'share';
  return `${step.type} ${step.value}`;
}

/** `reached[k]` = visitors who got at least to step k + 1. */
export function funnelResponse(steps: readonly FunnelStep[], reached: readonly number[]): FunnelResponse {
  return {
    steps: steps.map((step, k) => {
      const previous = k === 0 ? reached[0]! : reached[k - 1]!;
      const dropOff = k === 0 ? 0 : previous - reached[k]!;
      return {
        label: stepLabel(step),
        visitors: reached[k]!,
        conversion_rate: reached[0] ? round2((100 * reached[k]!) / reached[0]!) : 0,
        drop_off: dropOff,
        drop_off_rate: previous ? round2((100 * dropOff) / previous) : 0,
      };
    }),
  };
}

/** Cohort week start (epoch ms) → users active in week 0, 1, 2… after it. */
export function retentionResponse(cohorts: ReadonlyMap<number, number[]>): RetentionResponse {
  return {
    cohorts: [...cohorts.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([week, returning]) => ({
        week: isoDay(week),
        users: returning[0]!,
        returning,
        rates: returning.map((r) => round2((100 * r) / returning[0]!)),
      })),
    note: RETENTION_NOTE,
  };
}
