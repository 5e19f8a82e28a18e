/**
 * The HTTP contract of what an admin defines in the dashboard and the API, kept in the settings
 * store (storage/settings): goals, metric cards and annotations, and the chart's intervals.
 * Definitions of the figures are in api.ts; a goal's figures use the general query's filters.
 */
import type { Filter, MetricCardConfig, ReportScope } from './api.ts';
import { DAY_MS, type Interval } from './time.ts';

// ─── Goals (GET/POST /api/analytics/goals, PUT/DELETE /api/analytics/goals/:id) ────────────

/** Operators of a goal's property condition, as the general query's filters read them. */
export const GOAL_CONDITION_OPS = ['is', 'is_not', 'contains', 'gt', 'gte', 'lt', 'lte'] as const;

/**
 * What counts as a conversion. `page`: a page view whose path matches `page`, where `*` stands for
 * any run of characters (`/blog/*`, `*\/pricing`); `action`: an action of that name, optionally
 * only when its property `condition.prop` passes `condition.op value`; `share`: a share, of
 * `channel` only when given.
 */
export type GoalDefinition =
  | { type: 'page'; page: string }
  | {
      type: 'action';
      action: string;
      condition?: { prop: string; op: (typeof GOAL_CONDITION_OPS)[number]; value: string | number };
    }
  | { type: 'share'; channel?: string };

/** POST /api/analytics/goals and PUT /api/analytics/goals/:id */
export type GoalInput = GoalDefinition & { site: string; name: string };

export interface Goal {
  id: string;
  site: string;
  name: string;
  definition: GoalDefinition;
  /**
   * The goal as a general-query filter selecting its conversion records: add it to `filters` of
   * POST /api/analytics/query to count conversions where they happened, or `['visitor', filter]`
   * to keep every record of the visitors who converted (the dashboard's conversion-rate column).
   */
  filter: Filter;
  /** ms since the epoch of the last change */
  updated: number;
}

export interface GoalFigures {
  /** distinct visitors of the goal's site under the range and filters */
  visitors: number;
  /** of those, the visitors with at least one conversion record */
  conversions: number;
  /** conversions / visitors, percent (0 when there is no visitor) */
  conversion_rate: number;
}

/** GET /api/analytics/goals: the goals of `site` (every site's when absent) with their figures. */
export interface GoalsResponse {
  goals: (Goal & GoalFigures)[];
  /** what the figures were computed under (each goal over its own site) */
  query: ReportScope;
}

/** At most this many goals per site. */
export const MAX_GOALS_PER_SITE = 100;

// ─── Metric cards (GET/PUT/DELETE /api/analytics/cards) ─────────────────────────────────────

/**
 * The cards a view shows: the site's own set when one was saved, else the default set saved for
 * every site, else the initial set (ANALYTICS_METRICS_FILE or the shipped CloudFace cards).
 */
export interface CardsResponse {
  /** null: the default set (every site's, unless a site has its own) */
  site: string | null;
  cards: MetricCardConfig[];
  source: 'site' | 'default' | 'initial';
}

/** PUT /api/analytics/cards?site=S (no site: the default set) */
export interface CardsInput {
  cards: MetricCardConfig[];
}

export const MAX_CARDS = 30;

// ─── Annotations (GET/POST /api/analytics/annotations, DELETE …/:id) ────────────────────────

export interface AnnotationInput {
  site: string;
  /** a UTC day "2026-11-27" (its midnight) or an ISO time "2026-11-27T14:30:00Z" */
  date: string;
  /** plain text, shown as text only */
  text: string;
}

export interface Annotation {
  id: string;
  site: string;
  /** epoch ms */
  at: number;
  /** ISO time of `at` */
  date: string;
  text: string;
  updated: number;
}

/** GET /api/analytics/annotations?site=S&days=N|from&to: those inside the range, oldest first. */
export interface AnnotationsResponse {
  annotations: Annotation[];
}

export const MAX_ANNOTATIONS_PER_SITE = 1000;

// ─── Chart intervals (GET /api/analytics/overall?interval=…) ────────────────────────────────

export const INTERVALS = ['hour', 'day', 'week', 'month'] as const satisfies readonly Interval[];

/**
 * The intervals a range of `spanMs` may be drawn in: hours up to 7 days (168 points), days always,
 * weeks from 14 days and months from 90 days (fewer points than that say nothing).
 */
export function allowedIntervals(spanMs: number): Interval[] {
  const out: Interval[] = [];
  // A rolling range is N days and 1 ms long (range.ts): the hour of slack keeps `7d` in.
  if (spanMs <= 7 * DAY_MS + 3_600_000) out.push('hour');
  out.push('day');
  if (spanMs >= 14 * DAY_MS) out.push('week');
  if (spanMs >= 90 * DAY_MS) out.push('month');
  return out;
}

/** The interval when none is asked for: hourly up to 2 days, daily beyond. */
export function defaultInterval(spanMs: number): Interval {
  return spanMs <= 2 * DAY_MS + 1 ? 'hour' : 'day';
}
