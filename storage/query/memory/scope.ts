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
