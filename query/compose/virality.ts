import { round2 } from '../round.ts';
import { SHARE_SOURCES, type Filter, type NormalizedQuery, type ViralityResponse } from '../../shared/api.ts';
import { type QueryBackend } from '../backend.ts';

// Case-insensitive without the (?i) flag, which neither V8 before v12.4 nor RE2 inline accepts
// the same way: every letter becomes a [xX] class.
const anyCase = (word: string) => word.replace(/[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`);

/** Sessions that arrived through a shared link (see "Shared visits" in ../types.ts). */
export const SHARED_VISIT: Filter = [
  'or',
  [
    ['matches', 'source', [`^(${SHARE_SOURCES.map(anyCase).join('|')})$`]],
    ['is', 'utm_medium', ['share']],
  ],
];

/** The sessions and visitors of the visits through shared links, by source, as a general query. */
export function sharedVisitsQuery(base: NormalizedQuery): NormalizedQuery {
  return {
    ...base,
    dimensions: ['source'],
    filters: [...base.filters, ['is', 'event:kind', ['pageview']], SHARED_VISIT],
    metrics: ['sessions', 'visitors'],
  };
}

/** Shares by channel, visits through shared links, and their ratio (k-factor). */
export async function virality(backend: QueryBackend, base: NormalizedQuery): Promise<ViralityResponse> {
  const [shares, visits] = await Promise.all([
    backend.query({
      ...base,
      dimensions: ['share:channel'],
      filters: [...base.filters, ['is', 'event:kind', ['share']]],
      metrics: ['shares', 'recipients'],
    }),
    backend.sharedVisits ? backend.sharedVisits(base) : backend.query(sharedVisitsQuery(base)),
  ]);
  const byCount = (
    a: { metrics: number[]; dimensions: string[] },
    b: { metrics: number[]; dimensions: string[] },
  ) => b.metrics[0]! - a.metrics[0]! || (a.dimensions[0]! < b.dimensions[0]! ? -1 : 1);
  const totalShares = shares.reduce((n, r) => n + r.metrics[0]!, 0);
  const totalVisits = visits.reduce((n, r) => n + r.metrics[0]!, 0);
  return {
    shares: shares
      .sort(byCount)
      .map((r) => ({ channel: r.dimensions[0]!, count: r.metrics[0]!, recipients: r.metrics[1]! })),
    total_shares: totalShares,
    total_recipients: shares.reduce((n, r) => n + r.metrics[1]!, 0),
    shared_visits: visits
      .sort(byCount)
      .map((r) => ({ source: r.dimensions[0]!, sessions: r.metrics[0]!, visitors: r.metrics[1]! })),
    total_shared_visits: totalVisits,
    k_factor: totalShares ? round2(totalVisits / totalShares) : 0,
  };
}
