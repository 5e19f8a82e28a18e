import { createHash } from 'node:crypto';
import { DAY_MS } from '../../shared/time.ts';
import type { Dimension, MetricCardConfig, NormalizedQuery } from '../../shared/api.ts';
import type { QueryBackend } from '../backend.ts';
import { overall } from '../compose/overall.ts';

/**
 * The questions rolled up per day: exactly those `overall` asks without filters, found by running
 * compose/overall.ts against a backend that only writes them down, so a change there (a new card,
 * a new list) changes what is built without a second list to keep in step.
 */

/** Bump when what a build stores changes: every day is then built again (and raw until then). */
export const ROLLUP_VERSION = 2;

/** A rolled-up question: the general query's shape without its site and range. */
export type Shape = Pick<NormalizedQuery, 'metrics' | 'dimensions' | 'filters'>;

export interface RollupPlan {
  /** by shapeKey */
  queries: Map<string, Shape>;
  /** the batched top lists' dimensions, by topListsKey */
  topLists: Map<string, Dimension[]>;
  /**
   * the numeric prop keys of each action name and their sums are rolled up too (PROP_SUMS_SHAPE):
   * `overall` asks for them with the names and keys it found, which no fixed shape can hold
   */
  propKeys: boolean;
  /** changes with the plan: builds of another config are never read */
  config: string;
}

/** Metrics that never add up over days: a query asking for one is always answered raw. */
const UNSPLITTABLE = new Set(['users', 'first_seen', 'last_seen', 'conversion_rate']);

export function shapeKey(q: Shape): string {
  return JSON.stringify([q.metrics, q.dimensions, q.filters]);
}

export function topListsKey(dims: readonly Dimension[]): string {
  return JSON.stringify(['top-lists', dims]);
}

/**
 * Per action name: 'n' rows hold its record count (so a name whose records carry no numeric prop
 * still has its group), 'w' rows the sum of each numeric prop key (pk). The keys of a name are
 * those with a 'w' row, so the same rows answer `numericPropKeys` and the sums.
 */
export const PROP_SUMS_SHAPE = JSON.stringify(['prop-sums-by-name', 'action']);

/**
 * The action names of a query that sums numeric props per action name over some names (the
 * question `overall`'s action summaries ask with the names they found), or null for any other
 * query. Its answer comes from PROP_SUMS_SHAPE whatever the names and keys.
 */
export function propSumNames(q: Shape): string[] | null {
  const [kind, names, ...more] = q.filters;
  const isFilter = (f: unknown, dim: string) =>
    Array.isArray(f) && f.length === 3 && f[0] === 'is' && f[1] === dim && Array.isArray(f[2]);
  if (more.length > 0 || !isFilter(kind, 'event:kind') || !isFilter(names, 'event:name')) return null;
  const kinds = (kind as [string, string, string[]])[2];
  if (kinds.length !== 1 || kinds[0] !== 'action') return null;
  if (q.dimensions.length !== 1 || q.dimensions[0] !== 'event:name') return null;
  if (q.metrics.length === 0 || !q.metrics.every((m) => m.startsWith('prop_sum:'))) return null;
  return (names as [string, string, string[]])[2];
}

/** The plan for these metric cards (every card: the unfiltered all-sites view asks for all). */
export async function rollupPlan(cards: readonly MetricCardConfig[]): Promise<RollupPlan> {
  const queries = new Map<string, Shape>();
  const topLists = new Map<string, Dimension[]>();
  let propKeys = false;
  const recorder: QueryBackend = {
    async query(q) {
      if (!q.metrics.some((m) => UNSPLITTABLE.has(m)))
        queries.set(shapeKey(q), { metrics: q.metrics, dimensions: q.dimensions, filters: q.filters });
      return [];
    },
    async topLists(_base, dims) {
      topLists.set(topListsKey(dims), [...dims]);
      return dims.map(() => []);
    },
    async numericPropKeys(q) {
      if (q.kind === 'action') propKeys = true;
      return {};
    },
    async newVsReturning() {
      return { new_users: 0, returning_users: 0 };
    },
    funnel: () => Promise.reject(new Error('not asked by overall')),
    retention: () => Promise.reject(new Error('not asked by overall')),
    journeys: () => Promise.reject(new Error('not asked by overall')),
    events: () => Promise.reject(new Error('not asked by overall')),
    status: () => ({ ready: true, rows: 0, progress: 1 }),
    sites: async () => [],
  };
  // A range of whole days longer than two, as the daily dashboard ranges are.
  await overall(recorder, { site: null, from: 0, to: 7 * DAY_MS, now: 7 * DAY_MS, limit: 10, cards });
  // Sorted: the order `overall` happens to ask in is no part of what the rollups hold, and must not
  // make every collector rebuild every day after a change that only reorders its questions.
  const config = createHash('sha256')
    .update(
      JSON.stringify([ROLLUP_VERSION, [...queries.keys()].sort(), [...topLists.keys()].sort(), propKeys]),
    )
    .digest('hex')
    .slice(0, 16);
  return { queries, topLists, propKeys, config };
}

/** Whether a query of this shape is answered from rollups (the caller checks site and range). */
export function rolledShape(plan: RollupPlan, q: NormalizedQuery): boolean {
  return plan.queries.has(shapeKey(q));
}
