import type { FunnelResponse, FunnelStep } from '../../shared/api.ts';
import type { NormalizedFunnel } from '../backend.ts';
import { funnelResponse } from '../report-shape.ts';
import { siteCode, usesSessionDimension } from './aggregate.ts';
import { KIND_CODE } from './columns.ts';
import { compileFilters } from './filters.ts';
import type { MemoryIndex } from './index.ts';
import { isLocalRow, rowScan, unitSpan, type Part } from './scope.ts';
import { CHECK_MASK } from '../budget.ts';
import { sessionStats } from './session-stats.ts';

/**
 * Funnel with ClickHouse windowFunnel semantics (see "Funnel" in ../types.ts) over the whole
 * range in one scan; rollup.ts answers long ranges from the same counts per block of days.
 */
export function funnel(index: MemoryIndex, q: NormalizedFunnel): FunnelResponse {
  return funnelResponse(q.steps, funnelCounts(index, q, 'all'));
}

/**
 * `reached[k]`: visitors of the range's rows in `part` whose best chain got to step k + 1. Per
 * unit (session, or visitor with a time window) and step k, the latest start time of a chain
 * that reached k; steps are checked from the last to the first so one record never advances a
 * chain twice. Per-unit arrays cover only the unit numbers the scan meets.
 */
export function funnelCounts(index: MemoryIndex, q: NormalizedFunnel, part: Part): number[] {
  index.ready();
  const cols = index.cols;
  const site = siteCode(index, q.site);
  const n = q.steps.length;
  const counts = new Array<number>(n).fill(0);
  if (site === -2) return counts;
  const scan = rowScan(index, q.from, q.to, part);
  const list = scan.list;
  // Session filters (source, entry page, UTM…) read the session's first/last page view in the
  // range; a part's sessions lie wholly inside it (see scope.ts), so the part's stats suffice.
  const stats = usesSessionDimension(q.filters) ? sessionStats(index, q.from, q.to, site, part) : null;
  const filter = compileFilters(index, q.filters, stats, { from: q.from, to: q.to, site });
  const matchers = q.steps.map((step) => stepMatcher(index, step));
  const byUnit = q.windowMs === null ? index.session.data : cols.dict.visitor.data;
  const sites = cols.dict.site.data;
  const ts = cols.ts.data;
  const visitors = cols.dict.visitor.data;
  const { base, span: units } = unitSpan(scan, byUnit, sites, site, visitors);
  if (units === 0) return counts;
  // Per unit and step: the latest start of a chain that reached the step (−1: none).
  const starts = new Float64Array(units * n).fill(-1);
  const levels = new Int8Array(units);
  const visitorOf = new Int32Array(units);
  const window = q.windowMs ?? Infinity;

  for (let j = scan.first; j < scan.end; j++) {
    if ((j & CHECK_MASK) === 0) index.budget.check();
    const i = list ? list[j]! : j;
    if (site >= 0 && sites[i] !== site) continue;
    if (!isLocalRow(scan, visitors, i)) continue;
    if (filter && !filter(i)) continue;
    const unit = byUnit[i]! - base;
    const at = unit * n;
    for (let k = n - 1; k >= 0; k--) {
      if (!matchers[k]!(i)) continue;
      const t = ts[i]!;
      if (k === 0) starts[at] = t;
      else if (starts[at + k - 1]! >= 0 && t - starts[at + k - 1]! <= window)
        starts[at + k] = Math.max(starts[at + k]!, starts[at + k - 1]!);
      else continue;
      if (levels[unit]! < k + 1) {
        levels[unit] = k + 1;
        visitorOf[unit] = visitors[i]!;
      }
    }
  }

  const best = new Int8Array(cols.dicts.visitor.size);
  for (let u = 0; u < units; u++) if (levels[u]! > best[visitorOf[u]!]!) best[visitorOf[u]!] = levels[u]!;
  for (const level of best) for (let k = 0; k < level; k++) counts[k]!++;
  return counts;
}

function stepMatcher(index: MemoryIndex, step: FunnelStep): (i: number) => boolean {
  const kinds = index.cols.dict.kind.data;
  if (step.type === 'page') {
    if (step.value === '*') return (i) => kinds[i] === KIND_CODE.pageview;
    const path = index.cols.dicts.path.lookup(step.value);
    const paths = index.cols.dict.path.data;
    return (i) => kinds[i] === KIND_CODE.pageview && paths[i] === path;
  }
  const kind = step.type === 'action' ? KIND_CODE.action : KIND_CODE.share;
  const names = index.cols.dict.name.data;
  if (step.value === undefined || step.value === '*') return (i) => kinds[i] === kind;
  const name = index.cols.dicts.name.lookup(step.value);
  return (i) => kinds[i] === kind && names[i] === name;
}
