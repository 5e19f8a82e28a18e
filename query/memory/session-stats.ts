import type { MemoryIndex } from './index.ts';
import { KIND_CODE } from './columns.ts';
import { isLocalRow, rowScan, unitSpan, type Part } from './scope.ts';
import { CHECK_MASK } from '../budget.ts';

/**
 * Per-session figures over one range, for sessions base…base+span−1 (session numbers, see
 * "Session" in ../types.ts): entry s − base describes session s.
 */
export interface SessionStats {
  base: number;
  span: number;
  /** row of the first / last pageview in the range, −1 when none */
  firstPv: Int32Array;
  lastPv: Int32Array;
  pageviews: Int32Array;
  /** actions + shares */
  interactions: Int32Array;
  firstTs: Float64Array;
  lastTs: Float64Array;
}

/**
 * Two passes over the range's rows in `part`: the span of session numbers met (see unitSpan),
 * then the figures. Arrays cover only that span, which keeps a 24 h query or one day of a
 * rollup from allocating per-session arrays for the whole history. Several queries of one `overall` share a range, so the last result is
 * cached by (range, part, site, row count).
 */
export function sessionStats(
  index: MemoryIndex,
  from: number,
  to: number,
  site: number,
  part: Part = 'all',
): SessionStats {
  const key = `${from}:${to}:${site}:${part}:${index.length}:${index.sessionCount}:${index.epoch}`;
  const cache = cached.get(index);
  if (cache && cache.key === key) return cache.stats;
  const scan = rowScan(index, from, to, part);
  const sessions = index.session.data;
  const kinds = index.cols.dict.kind.data;
  const sites = index.cols.dict.site.data;
  const visitors = index.cols.dict.visitor.data;
  const ts = index.cols.ts.data;
  const list = scan.list;
  const { base, span } = unitSpan(scan, sessions, sites, site, visitors);
  const stats: SessionStats = {
    base,
    span,
    firstPv: new Int32Array(span).fill(-1),
    lastPv: new Int32Array(span).fill(-1),
    pageviews: new Int32Array(span),
    interactions: new Int32Array(span),
    firstTs: new Float64Array(span).fill(Infinity),
    lastTs: new Float64Array(span).fill(-Infinity),
  };
  for (let j = site === -2 ? scan.end : scan.first; j < scan.end; j++) {
    if ((j & CHECK_MASK) === 0) index.budget.check();
    const i = list ? list[j]! : j;
    if (site >= 0 && sites[i] !== site) continue;
    if (!isLocalRow(scan, visitors, i)) continue;
    const s = sessions[i]! - base;
    const kind = kinds[i]!;
    if (stats.firstTs[s]! > ts[i]!) stats.firstTs[s] = ts[i]!;
    stats.lastTs[s] = ts[i]!;
    if (kind === KIND_CODE.pageview) {
      if (stats.firstPv[s] === -1) stats.firstPv[s] = i;
      stats.lastPv[s] = i;
      stats.pageviews[s]!++;
    } else if (kind === KIND_CODE.action || kind === KIND_CODE.share) stats.interactions[s]!++;
  }
  cached.set(index, { key, stats });
  return stats;
}

const cached = new WeakMap<MemoryIndex, { key: string; stats: SessionStats }>();
