import type { Codes } from './code-column.ts';
import { NOT_DAY_LOCAL, type MemoryIndex } from './index.ts';

/**
 * Which rows of a time range a scan visits: every row, only rows of day-local visitors, or only
 * the others. The two parts share no visitor and no session (see MemoryIndex.visitorDay), so
 * their distinct counts add up; rollup.ts relies on that.
 */
export type Part = 'all' | 'local' | 'nonlocal';

/** The rows to visit: list[first…end) when `list` is set, else rows first…end. */
export interface RowScan {
  list: Int32Array | null;
  first: number;
  end: number;
  /** when set, visit only rows whose visitor is day-local */
  localDays: Int32Array | null;
}

/**
 * The rows of [from, to) in `part`, drawn from `list` (a kind's rows, say: ascending row
 * numbers) when given. A non-local scan walks the (short) non-local list instead, so a caller
 * that passed `list` must still check each row belongs to it.
 */
export function rowScan(
  index: MemoryIndex,
  from: number,
  to: number,
  part: Part,
  list?: { data: Int32Array; length: number },
): RowScan {
  const source = part === 'nonlocal' ? index.nonLocalRows() : list;
  const localDays = part === 'local' ? index.visitorDay.data : null;
  if (!source) return { list: null, first: index.lowerBound(from), end: index.lowerBound(to), localDays };
  return {
    list: source.data,
    first: index.lowerBoundIn(source.data, source.length, from),
    end: index.lowerBoundIn(source.data, source.length, to),
    localDays,
  };
}

/** True when row i of a local scan belongs to a day-local visitor (always true otherwise). */
export function isLocalRow(scan: RowScan, visitors: Codes, i: number): boolean {
  return scan.localDays === null || scan.localDays[visitors[i]!] !== NOT_DAY_LOCAL;
}

/**
 * The least number and how many numbers from there to the greatest that `unitOf` gives over the
 * scan's rows of site code `site` (−1: every site): per-unit arrays (sessions, visitors) then
 * cover only that span. Sessions and visitors are numbered in time order, so a day's are a short
 * run. `span` is 0 when no row matches.
 */
export function unitSpan(
  scan: RowScan,
  unitOf: ArrayLike<number>,
  sites: Codes,
  site: number,
  visitors: Codes,
): { base: number; span: number } {
  let base = Infinity;
  let top = -1;
  for (let j = site === -2 ? scan.end : scan.first; j < scan.end; j++) {
    const i = scan.list ? scan.list[j]! : j;
    if (site >= 0 && sites[i] !== site) continue;
    if (!isLocalRow(scan, visitors, i)) continue;
    const unit = unitOf[i]!;
    if (unit < base) base = unit;
    if (unit > top) top = unit;
  }
  return top < 0 ? { base: 0, span: 0 } : { base, span: top - base + 1 };
}
