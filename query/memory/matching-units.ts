import type { Filter } from '../../shared/api.ts';
import { usesSessionDimension } from './aggregate.ts';
import { compileFilters } from './filters.ts';
import type { MemoryIndex } from './index.ts';
import { sessionStats } from './session-stats.ts';

/**
 * Marks the sessions (or users) with at least one record of [from, to) on site code `site` that
 * matches `filters`: the reports that follow whole sessions or users (journeys, retention) keep
 * those, the way session metrics consider "sessions with a matching record". One scan of the
 * range; null when there is no filter (everything is kept).
 */
export function matchingUnits(
  index: MemoryIndex,
  filters: Filter[],
  range: { from: number; to: number },
  site: number,
  unit: 'session' | 'user',
): Uint8Array | null {
  if (filters.length === 0) return null;
  const stats = usesSessionDimension(filters) ? sessionStats(index, range.from, range.to, site) : null;
  const filter = compileFilters(index, filters, stats, { ...range, site })!;
  const units = unit === 'session' ? index.session.data : index.cols.dict.user.data;
  const marked = new Uint8Array(unit === 'session' ? index.sessionCount : index.cols.dicts.user.size);
  if (site === -2) return marked;
  const sites = index.cols.dict.site.data;
  const end = index.lowerBound(range.to);
  for (let i = index.lowerBound(range.from); i < end; i++) {
    if (site >= 0 && sites[i] !== site) continue;
    if (filter(i)) marked[units[i]!] = 1;
  }
  return marked;
}
