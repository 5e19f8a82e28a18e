import type { Dimension, NormalizedQuery } from '../../shared/api.ts';
import type { QueryRows } from '../backend.ts';
import { siteCode, usesSessionDimension } from './aggregate.ts';
import { KIND_CODE } from './columns.ts';
import { dimensionReader, isSessionDimension, SESSION_COLUMN } from './dimensions.ts';
import { compileFilters } from './filters.ts';
import type { MemoryIndex } from './index.ts';
import { isLocalRow, rowScan, type Part } from './scope.ts';
import { sessionStats } from './session-stats.ts';
import { CHECK_MASK } from '../budget.ts';

/**
 * Many top lists over page views in one pass: for each dimension, the rows `aggregate` would
 * answer for metrics [visitors, pageviews] with `base.filters` plus "event:kind is pageview".
 *
 * The matching page views are collected once and counting-sorted by visitor, so every
 * (value, visitor) pair of a visitor is adjacent: a per-value "last visitor" stamp then counts
 * distinct visitors exactly without a set. On 1M records (90 days, ~500k page views) the 13
 * lists of `overall` take a few tens of ms together instead of 13 passes of ~80 ms each.
 */
export function topLists(
  index: MemoryIndex,
  base: NormalizedQuery,
  dims: readonly Dimension[],
  part: Part = 'all',
): QueryRows[] {
  index.ready();
  const cols = index.cols;
  const site = siteCode(index, base.site);
  const empty = dims.map((): QueryRows => []);
  if (site === -2) return empty;
  const needsStats = dims.some(isSessionDimension) || usesSessionDimension(base.filters);
  const stats = needsStats ? sessionStats(index, base.from, base.to, site, part) : null;
  const filter = compileFilters(index, base.filters, stats, { from: base.from, to: base.to, site });
  const pageviews = index.kindRows[KIND_CODE.pageview];
  if (!pageviews) return empty;
  const scan = rowScan(index, base.from, base.to, part, pageviews);
  const list = scan.list!;

  // 1. The matching page views, then the same rows grouped by visitor (counting sort).
  const sites = cols.dict.site.data;
  const kinds = cols.dict.kind.data;
  const visitorCol = cols.dict.visitor.data;
  const selected = new Int32Array(scan.end - scan.first);
  let n = 0;
  for (let j = scan.first; j < scan.end; j++) {
    if ((j & CHECK_MASK) === 0) index.budget.check();
    const i = list[j]!;
    if (site >= 0 && sites[i] !== site) continue;
    // A non-local scan walks rows of every kind.
    if (kinds[i] !== KIND_CODE.pageview) continue;
    if (!isLocalRow(scan, visitorCol, i)) continue;
    if (filter && !filter(i)) continue;
    selected[n++] = i;
  }
  if (n === 0) return empty;
  const starts = new Int32Array(cols.dicts.visitor.size + 1);
  for (let k = 0; k < n; k++) starts[visitorCol[selected[k]!]! + 1]!++;
  for (let v = 1; v < starts.length; v++) starts[v]! += starts[v - 1]!;
  const byVisitor = new Int32Array(n);
  const visitorOf = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const i = selected[k]!;
    const at = starts[visitorCol[i]!]!++;
    byVisitor[at] = i;
    visitorOf[at] = visitorCol[i]!;
  }

  // 2. One tight loop per dimension. Session dimensions read the session's first (or last)
  // page view, found once per row for all of them.
  let entryRows: Int32Array | null = null;
  let exitRows: Int32Array | null = null;
  const anchorRows = (exit: boolean): Int32Array => {
    const cached = exit ? exitRows : entryRows;
    if (cached) return cached;
    const pick = exit ? stats!.lastPv : stats!.firstPv;
    const sessions = index.session.data;
    const first = stats!.base;
    const rows = new Int32Array(n);
    for (let k = 0; k < n; k++) rows[k] = pick[sessions[byVisitor[k]!]! - first]!;
    return exit ? (exitRows = rows) : (entryRows = rows);
  };
  const codes = new Int32Array(n);
  return dims.map((dim) => {
    const reader = dimensionReader(index, dim, stats);
    let bound = 0;
    if (reader.column) {
      const column = reader.column;
      for (let k = 0; k < n; k++) codes[k] = column[byVisitor[k]!]!;
      bound = reader.bound!;
    } else if (dim in SESSION_COLUMN) {
      const column = cols.dict[SESSION_COLUMN[dim as keyof typeof SESSION_COLUMN]].data;
      const rows = anchorRows(dim === 'exit_page');
      for (let k = 0; k < n; k++) {
        const row = rows[k]!;
        codes[k] = row < 0 ? 0 : column[row]!;
      }
      bound = reader.bound!;
    } else {
      for (let k = 0; k < n; k++) {
        const c = reader.code(byVisitor[k]!);
        codes[k] = c;
        if (c >= bound) bound = c + 1;
      }
    }
    return countRows(codes, visitorOf, n, bound, reader.label);
  });
}

/** Page views and distinct visitors per code, for codes listed in visitor order. */
function countRows(
  codes: Int32Array,
  visitorOf: Int32Array,
  n: number,
  bound: number,
  label: (code: number) => string,
): QueryRows {
  const pageviews = new Int32Array(bound);
  const visitors = new Int32Array(bound);
  const stamp = new Int32Array(bound).fill(-1);
  for (let k = 0; k < n; k++) {
    const c = codes[k]!;
    pageviews[c]!++;
    const v = visitorOf[k]!;
    if (stamp[c] !== v) {
      stamp[c] = v;
      visitors[c]!++;
    }
  }
  const rows: QueryRows = [];
  for (let c = 0; c < bound; c++)
    if (pageviews[c]! > 0) rows.push({ dimensions: [label(c)], metrics: [visitors[c]!, pageviews[c]!] });
  return rows;
}
